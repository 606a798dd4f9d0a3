"""Routes: ingestion."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["ingestion"])
