"""The local stack: Redis + RedisBloom, PostgreSQL and the Elasticsearch-API server on loopback.

All data lives under `settings.stack_dir`. A component whose URL is not on loopback is external:
the stack neither starts nor stops it.
"""

from dataclasses import replace

from brandpulse.settings import Settings
from brandpulse.stack.component import Component, StackError, State, Status
from brandpulse.stack.es_server import ElasticsearchServer
from brandpulse.stack.postgres_server import PostgresServer
from brandpulse.stack.redis_server import RedisServer

__all__ = ["StackError", "State", "Status", "components", "down", "status", "up"]


def components(settings: Settings) -> list[Component]:
    """The stack's servers, configured from the settings' URLs."""
    root = settings.stack_dir
    return [
        RedisServer(settings.redis_url, root),
        PostgresServer(settings.postgres_url.get_secret_value(), root),
        ElasticsearchServer(settings.elasticsearch_url, root),
    ]


def up(settings: Settings) -> list[Status]:
    """Start what is not running yet and wait for every component's health; idempotent."""
    statuses = []
    for part in components(settings):
        action = part.up(settings.stack_start_timeout_s)
        statuses.append(replace(part.status(), action=action))
    return statuses


def down(settings: Settings) -> list[str]:
    """Stop the servers this stack started; returns their names."""
    return [part.name for part in reversed(components(settings)) if part.down()]


def status(settings: Settings) -> list[Status]:
    """Each component's state, URL, pid and log."""
    return [part.status() for part in components(settings)]
