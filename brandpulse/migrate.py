"""Alembic, wired to the settings: `brandpulse migrate` and the tests use these."""

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations
from brandpulse.settings import Settings


def alembic_config(settings: Settings) -> Config:
    """An Alembic config for the `migrations` package and the settings' database."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Migrate the database forwards to `revision`."""
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str) -> None:
    """Migrate the database backwards to `revision` (`base` empties it)."""
    command.downgrade(alembic_config(settings), revision)
