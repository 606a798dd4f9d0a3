"""The elastic worker: enrich mentions and index them into Elasticsearch."""
