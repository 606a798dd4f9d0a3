"""The app's lifespan on the real stores: what startup leaves is kept out of full garbage collections."""

import gc
import weakref

from api.main import create_app
from brandpulse.settings import Settings


class Node:
    """An object that can refer to itself: only the garbage collector frees such a cycle."""

    me: "Node | None" = None


async def test_startup_objects_are_frozen_while_serving_and_released_at_shutdown(
    api_settings: Settings,
) -> None:
    cycle = Node()
    cycle.me = cycle
    garbage = weakref.ref(cycle)
    del cycle
    app = create_app(api_settings)
    async with app.router.lifespan_context(app):
        assert garbage() is None  # collected at startup, not frozen with the rest
        assert gc.get_freeze_count() > 10_000  # modules, classes, the clients
    assert gc.get_freeze_count() == 0
