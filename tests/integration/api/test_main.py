"""The app's lifespan on the real stores: what startup leaves is kept out of full garbage collections."""

import gc

from api.main import create_app
from brandpulse.settings import Settings


async def test_startup_objects_are_frozen_while_serving_and_released_at_shutdown(
    api_settings: Settings,
) -> None:
    app = create_app(api_settings)
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 10_000  # modules, classes, the clients
    assert gc.get_freeze_count() == 0
