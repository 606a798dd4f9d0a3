"""The live feed's fan-out: one Redis pub/sub subscription per API process, a bounded queue per client.

Each message is parsed once, wrapped as `{"type": "mention" | "alert", "data": ...}` once, and offered
to every client that wants its brands. A client whose queue is full is too slow: it is dropped (its
`dropped` event set; the route closes the socket), never buffered without bound, and never slows the
others. Pub/sub is at most once: while Redis is unreachable events are missed and the hub reconnects.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.redis_keys import RedisKeys

log = logging.getLogger(__name__)
RECONNECT_S: Final = 1.0


class Subscription:
    """One client: the brands it wants (empty: all) and the frames waiting to be sent to it."""

    def __init__(self, brands: frozenset[int], size: int) -> None:
        self.brands = brands
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=size)
        self.dropped = asyncio.Event()

    def offer(self, frame: str, brand_ids: frozenset[int]) -> None:
        """Queue the frame if the client wants it; drop the client when its queue is full."""
        if self.dropped.is_set() or (self.brands and not self.brands & brand_ids):
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.dropped.set()


class LiveHub:
    """Subscribes to the live and alerts channels and fans each event out to the subscriptions."""

    def __init__(self, redis: Redis, keys: RedisKeys, queue_size: int) -> None:
        self.redis, self.queue_size = redis, queue_size
        self.kinds = {keys.live_channel: "mention", keys.alerts_channel: "alert"}
        self.subscriptions: set[Subscription] = set()
        self.ready = asyncio.Event()  # set while subscribed

    @contextlib.contextmanager
    def subscribe(self, brands: frozenset[int]) -> Iterator[Subscription]:
        """A subscription for one client, for as long as the block runs."""
        subscription = Subscription(brands, self.queue_size)
        self.subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self.subscriptions.discard(subscription)

    async def run(self) -> None:
        """Listen until cancelled, reconnecting after a Redis error."""
        while True:
            try:
                await self._listen()
            except RedisError as error:
                self.ready.clear()
                log.warning("live feed lost Redis (%s); reconnecting in %.0f s", error, RECONNECT_S)
                await asyncio.sleep(RECONNECT_S)

    async def _listen(self) -> None:
        async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(*self.kinds)
            self.ready.set()
            while True:  # get_message with a timeout, not listen(): a cancel always lands between reads
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message and message["type"] == "message":
                    self.dispatch(message["channel"].decode(), message["data"])

    def dispatch(self, channel: str, data: bytes) -> None:
        """Offer one pub/sub message to every subscription."""
        kind = self.kinds.get(channel)
        try:
            event = json.loads(data)
            brands = event.get("brand_ids") if kind == "mention" else [event.get("brand_id")]
            brand_ids = frozenset(brand for brand in brands or () if isinstance(brand, int))
        except (ValueError, AttributeError, TypeError):
            log.warning("live feed: skipping a malformed event on %s", channel)
            return
        frame = f'{{"type":"{kind}","data":{data.decode()}}}'
        for subscription in list(self.subscriptions):
            subscription.offer(frame, brand_ids)
