"""The persist worker's batch handler: one transaction per batch, acked only after commit.

PostgreSQL being unreachable, restarting, timing out or aborting on a deadlock is `RetryLater` (nothing
acked, nothing new read). A row PostgreSQL refuses as data (SQLSTATE classes 22, 23, 54) is isolated by
splitting the batch, and only that entry is dead-lettered with PostgreSQL's message.

A batch takes an advisory lock per mention and rollup key (`brandpulse.rollups`): ~1,800 for 1,000
mentions. PostgreSQL's lock table holds about `max_locks_per_transaction` x `max_connections` locks for
all sessions together (6,400 by default), so big batches, worker replicas or both can run it out ("out of
shared memory", SQLSTATE 53200). Retrying such a batch whole would fail for ever; it is written in halves
instead, each its own transaction, and the warning says which setting to raise.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from workers.loop import Outcome, RetryLater

T = TypeVar("T")
Write = Callable[[AsyncConnection, Sequence[T]], Awaitable[None]]
log = logging.getLogger(__name__)
DATA_ERRORS = ("22", "23", "54")  # data exception, integrity violation, program limit (e.g. row too big)
OUT_OF_MEMORY = "53200"  # shared memory: for these writes, the lock table


class PersistHandler(Generic[T]):
    """Writes each batch with `write` in one transaction."""

    def __init__(self, engine: AsyncEngine, write: Write[T]) -> None:
        self.engine, self.write = engine, write

    async def __call__(self, items: Sequence[tuple[str, T]]) -> Outcome:
        """Commit the batch (or every part of it PostgreSQL accepts); report refused entries as invalid."""
        invalid: dict[str, str] = {}
        await self._commit(list(items), invalid)
        return Outcome(done=[entry_id for entry_id, _ in items if entry_id not in invalid], invalid=invalid)

    async def _commit(self, items: list[tuple[str, T]], invalid: dict[str, str]) -> None:
        try:
            async with self.engine.begin() as connection:
                await self.write(connection, [item for _, item in items])
        except DBAPIError as error:
            reason = refused(error)
            if reason is None:  # transient, unless a smaller batch would fit the lock table
                if len(items) == 1 or _sqlstate(error) != OUT_OF_MEMORY:
                    raise RetryLater(f"PostgreSQL: {_first_line(error)}") from error
                log.warning(
                    "PostgreSQL ran out of shared memory writing %d entries; writing them in halves. "
                    "Raise max_locks_per_transaction or lower the batch size: %s",
                    len(items),
                    _first_line(error.orig),
                )
            elif len(items) == 1:
                invalid[items[0][0]] = f"refused by PostgreSQL: {reason}"
                return
            half = len(items) // 2
            await self._commit(items[:half], invalid)
            await self._commit(items[half:], invalid)
        except (SQLAlchemyError, OSError, TimeoutError) as error:  # pool timeout, connection refused
            raise RetryLater(f"PostgreSQL: {_first_line(error)}") from error


def refused(error: DBAPIError) -> str | None:
    """PostgreSQL's message when it refused the data itself; None when the failure is transient."""
    if error.connection_invalidated or not _sqlstate(error).startswith(DATA_ERRORS):
        return None
    return _first_line(error.orig)


def _sqlstate(error: DBAPIError) -> str:
    return getattr(error.orig, "sqlstate", None) or ""


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
