"""The rig for the fault suite (a private stack, the real services as processes) and the result table."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.reliability.checks import TABLE, format_table
from tests.reliability.rig import FAULTY_WORKER, Rig, running

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
async def rig() -> AsyncIterator[Rig]:
    """BrandPulse on a stack of its own: servers, elastic (with marked faults) and persist workers, API."""
    async with running(ROOT / ".stack" / f"reliability-{uuid.uuid4().hex[:8]}", [str(FAULTY_WORKER)]) as rig:
        yield rig


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fault suite's table, after the run."""
    if TABLE:
        terminalreporter.write_sep("=", "fault suite")
        terminalreporter.write_line(format_table(TABLE))
