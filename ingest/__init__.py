"""Ingest: source connectors turn posts into Mentions, dedupe them with RedisBloom and publish them."""
