"""The API-key rule: writes need a configured key; reads only when configured to."""

import pytest
from fastapi import FastAPI, Request
from pydantic import SecretStr

from api.deps import require_read_key, require_write_key, valid_key
from api.errors import ApiError
from brandpulse.settings import Settings

KEYED = Settings(_env_file=None, api_keys=[SecretStr("alpha-key"), SecretStr("beta-key")])


@pytest.mark.parametrize(
    ("settings", "key", "valid"),
    [
        (KEYED, "alpha-key", True),
        (KEYED, "beta-key", True),
        (KEYED, "alpha-key ", False),
        (KEYED, "", False),
        (KEYED, None, False),
        (Settings(_env_file=None), "anything", False),  # no keys configured: nothing is valid
        (Settings(_env_file=None, api_keys=[SecretStr("")]), "", False),
    ],
)
def test_valid_key(settings: Settings, key: str | None, valid: bool) -> None:
    assert valid_key(settings, key) is valid


def request_to(settings: Settings) -> Request:
    """A request to an app with `settings`, as the read-key check sees it."""
    app = FastAPI()
    app.state.settings = settings
    return Request({"type": "http", "app": app})


async def test_writes_need_a_key_and_reads_only_when_configured() -> None:
    with pytest.raises(ApiError) as refused:
        await require_write_key(KEYED, None)
    assert refused.value.status == 401
    await require_write_key(KEYED, "beta-key")
    await require_read_key(request_to(KEYED), None)
    reads_need_keys = KEYED.model_copy(update={"api_read_requires_key": True})
    with pytest.raises(ApiError):
        await require_read_key(request_to(reads_need_keys), None)
    await require_read_key(request_to(reads_need_keys), "alpha-key")
