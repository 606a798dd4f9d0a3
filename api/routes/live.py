"""`WS /api/live`: newly indexed mentions and fired alerts as they happen, optionally for some brands.

Each frame is `{"type": "mention" | "alert", "data": {...}}`. With `api_read_requires_key` the key goes
in the `X-API-Key` header or, for browsers (which cannot set WebSocket headers), the `api_key` query
parameter; a refused handshake is an HTTP 401 in the error model. A client that falls more than
`api_live_queue_size` events behind is closed with 1013 (try again later) and should reconnect.
"""

import asyncio
import contextlib
from typing import Annotated, Final

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from pydantic import Field

from api.deps import valid_key
from api.errors import error_response
from api.live_feed import LiveHub, Subscription
from brandpulse.settings import Settings

router = APIRouter(prefix="/api", tags=["live"])
TOO_SLOW: Final = 1013  # "try again later": the client fell too far behind
CLOSE_TIMEOUT_S: Final = 5.0


@router.websocket("/live")
async def read_live(
    websocket: WebSocket,
    brand: Annotated[list[Annotated[int, Field(gt=0, le=2**63 - 1)]] | None, Query(max_length=50)] = None,
    api_key: Annotated[str | None, Query()] = None,
) -> None:
    """Stream live events for `brand` (repeatable; none: every brand) until the client leaves or lags."""
    settings: Settings = websocket.app.state.settings
    if settings.api_read_requires_key and not valid_key(
        settings, websocket.headers.get("x-api-key") or api_key
    ):
        await _refuse(websocket)
        return
    hub: LiveHub = websocket.app.state.live
    with hub.subscribe(frozenset(brand or ())) as subscription:
        await websocket.accept()
        await _stream(websocket, subscription)
        if subscription.dropped.is_set():
            reason = f"too slow: more than {hub.queue_size} events behind; reconnect"
            with contextlib.suppress(RuntimeError, WebSocketDisconnect, TimeoutError):
                await asyncio.wait_for(websocket.close(TOO_SLOW, reason), CLOSE_TIMEOUT_S)


async def _refuse(websocket: WebSocket) -> None:
    """An HTTP 401 in the error model where the server can send one, else a policy-violation close."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        message = "this feed needs a valid X-API-Key header or api_key query parameter"
        await websocket.send_denial_response(error_response(401, "unauthorized", message))
    else:
        await websocket.close(1008, "unauthorized")


async def _stream(websocket: WebSocket, subscription: Subscription) -> None:
    """Send queued frames until the client disconnects or is dropped for being too slow."""

    async def send() -> None:
        while True:
            await websocket.send_text(await subscription.queue.get())

    async def receive() -> None:  # client frames are ignored; this notices the client leaving
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass

    tasks = [asyncio.create_task(job) for job in (send(), receive(), subscription.dropped.wait())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
