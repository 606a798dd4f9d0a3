"""What runs beside the requests for as long as the app serves: the live-feed fan-out, the alert evaluator."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from fastapi import FastAPI

from api.alerts import AlertEvaluator
from api.live_feed import LiveHub
from api.redis_keys import RedisKeys
from brandpulse.settings import Settings

log = logging.getLogger(__name__)
STOP_TIMEOUT_S: Final = 5.0  # how long shutdown waits for an alert round in progress


@asynccontextmanager
async def background(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Start the fan-out and the evaluator on the app's stores (opened already); stop them on exit.

    `app.state.redis_keys`, when a test set it, names the streams and channels to use.
    """
    keys = getattr(app.state, "redis_keys", None) or RedisKeys.from_settings(settings)
    app.state.redis_keys = keys
    app.state.live = hub = LiveHub(app.state.redis, keys, settings.api_live_queue_size)
    app.state.alerts = evaluator = AlertEvaluator(settings, app.state.redis, app.state.engine, keys=keys)
    live = asyncio.create_task(hub.run(), name="live-feed")
    alerts = asyncio.create_task(evaluator.run(), name="alert-evaluator")
    try:
        yield
    finally:
        live.cancel()
        evaluator.stop()
        _, late = await asyncio.wait([alerts], timeout=STOP_TIMEOUT_S)
        for task in late:
            task.cancel()
        # Bounded: a task stuck in a client library's cancellation must not hold shutdown forever.
        _, stuck = await asyncio.wait([live, alerts], timeout=STOP_TIMEOUT_S)
        for task in stuck:
            log.warning("background task %s did not stop within %.0f s", task.get_name(), STOP_TIMEOUT_S)
