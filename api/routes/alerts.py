"""Routes: alerts."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["alerts"])
