"""The FastAPI application: search, analytics, history and pipeline status."""
