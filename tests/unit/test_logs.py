"""Log lines: JSON objects with the bound and `extra=` fields, readable lines on a terminal."""

import asyncio
import io
import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest
from rich.logging import RichHandler

from brandpulse import logs


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger writing JSON lines into a buffer; the previous set-up is restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root.handlers, root.level = [handler], logging.DEBUG
    yield stream
    root.handlers, root.level = handlers, level


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_object_per_event(captured: io.StringIO) -> None:
    logging.getLogger("brandpulse.test").info("published %d mentions", 3)
    (event,) = lines(captured)
    assert event["message"] == "published 3 mentions"
    assert event["level"] == "INFO"
    assert event["logger"] == "brandpulse.test"
    assert event["ts"].endswith("+00:00")


def test_extra_and_bound_fields_become_keys(captured: io.StringIO) -> None:
    log = logging.getLogger("brandpulse.test")
    with logs.fields(batch_id="1-0", source="reddit"):
        log.warning("mention not published", extra={"mention_id": "ab" * 16})
    log.warning("after the block")
    inside, after = lines(captured)
    assert inside | {"batch_id": "1-0", "source": "reddit", "mention_id": "ab" * 16} == inside
    assert "batch_id" not in after


async def test_bound_fields_stay_with_their_task(captured: io.StringIO) -> None:
    log = logging.getLogger("brandpulse.test")

    async def batch(batch_id: str) -> None:
        with logs.fields(batch_id=batch_id):
            await asyncio.sleep(0.01)
            log.info("done")

    await asyncio.gather(batch("1-0"), batch("2-0"))
    ours = [event for event in lines(captured) if event["logger"] == "brandpulse.test"]
    assert sorted(event["batch_id"] for event in ours) == ["1-0", "2-0"]


def test_exceptions_are_one_line_with_the_traceback(captured: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("brandpulse.test").exception("failed")
    assert len(captured.getvalue().splitlines()) == 1
    assert "ValueError: boom" in lines(captured)[0]["exception"]


def test_readable_lines_carry_the_fields() -> None:
    record = logging.makeLogRecord({"msg": "claimed %d", "args": (2,), "stream": "brandpulse:mentions"})
    assert logs.ReadableFormatter().format(record) == "claimed 2  stream=brandpulse:mentions"


@pytest.mark.parametrize(("terminal", "handler_type"), [(True, RichHandler), (False, logging.StreamHandler)])
def test_config_picks_json_or_terminal_and_the_level(terminal: bool, handler_type: type) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        logging.config.dictConfig(logs.config("WARNING", terminal=terminal))
        (handler,) = root.handlers
        assert isinstance(handler, handler_type)
        assert isinstance(handler.formatter, logs.ReadableFormatter if terminal else logs.JsonFormatter)
        assert root.level == logging.WARNING
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        root.handlers, root.level = handlers, level
