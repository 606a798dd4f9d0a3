"""Stream workers: the elastic worker (enrich + index) and the persist worker (PostgreSQL + rollups)."""
