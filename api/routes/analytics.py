"""Routes: analytics."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/elastic", tags=["analytics"])
