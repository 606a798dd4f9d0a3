"""Routes: search."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/elastic", tags=["search"])
