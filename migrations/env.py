"""Alembic environment: runs revisions on the settings' database through the async asyncpg engine."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from brandpulse.clients import postgres_engine
from brandpulse.settings import Settings, get_settings
from brandpulse.tables import Base

settings: Settings = context.config.attributes.get("settings") or get_settings()


def run_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade --sql`)."""
    context.configure(
        url=settings.postgres_url.get_secret_value(),
        target_metadata=Base.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    """Run the revisions on a live connection."""
    engine = postgres_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
