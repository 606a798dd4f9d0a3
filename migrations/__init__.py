"""Alembic revisions for BrandPulse's PostgreSQL schema (run them with `brandpulse migrate`)."""
