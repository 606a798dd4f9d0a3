"""Routes: live."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["live"])
