"""Queries the routes run: Elasticsearch request bodies and parameterised PostgreSQL statements."""
