"""Factories for the three stores, sized and timed from settings. Callers own and close what they get."""

from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from brandpulse.settings import Settings


def redis_client(settings: Settings) -> "Redis":
    """An async Redis client on a bounded connection pool; responses stay bytes."""
    return Redis.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        socket_connect_timeout=settings.redis_connect_timeout_s,
        socket_timeout=settings.redis_socket_timeout_s,
        health_check_interval=30,
    )


def elasticsearch_client(settings: Settings) -> AsyncElasticsearch:
    """An async Elasticsearch client; retries connection errors and timeouts, never a 4xx."""
    password = settings.elasticsearch_password
    basic_auth = (
        (settings.elasticsearch_username, password.get_secret_value())
        if settings.elasticsearch_username and password
        else None
    )
    return AsyncElasticsearch(
        settings.elasticsearch_url,
        basic_auth=basic_auth,
        request_timeout=settings.elasticsearch_request_timeout_s,
        max_retries=settings.elasticsearch_max_retries,
        retry_on_timeout=True,
        connections_per_node=settings.elasticsearch_connections_per_node,
    )


def postgres_engine(settings: Settings, *, autocommit: bool = False) -> AsyncEngine:
    """A SQLAlchemy async engine on asyncpg with a bounded, pre-pinged pool and a statement timeout.

    `autocommit` makes an engine for single-statement reads: no BEGIN and ROLLBACK round trips around each
    query (a statement is its own snapshot); its `begin()` is no transaction, so never write through it.
    """
    return create_async_engine(
        settings.postgres_url.get_secret_value(),
        pool_size=settings.postgres_pool_size,
        max_overflow=settings.postgres_max_overflow,
        pool_timeout=settings.postgres_pool_timeout_s,
        pool_pre_ping=True,
        isolation_level="AUTOCOMMIT" if autocommit else "READ COMMITTED",
        connect_args={
            "timeout": settings.postgres_connect_timeout_s,
            "server_settings": {
                "statement_timeout": str(settings.postgres_statement_timeout_ms),
                "application_name": "brandpulse",
                "timezone": "UTC",  # times PostgreSQL writes as text (JSON built in SQL) are in UTC
            },
        },
    )
