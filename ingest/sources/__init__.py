"""Source connectors, and the network ones that are enabled."""

import httpx

from brandpulse.settings import Settings
from ingest.sources.base import Source
from ingest.sources.gdelt import GdeltSource
from ingest.sources.hackernews import HackerNewsSource
from ingest.sources.news import NewsSource
from ingest.sources.reddit import RedditSource
from ingest.sources.x import XSource


def network_sources(settings: Settings, client: httpx.AsyncClient) -> list[Source]:
    """The enabled network connectors, sharing `client` (X only with a bearer token)."""
    x = XSource(settings, client)
    sources: list[Source] = [
        NewsSource(settings, client),
        HackerNewsSource(settings, client),
        RedditSource(settings, client),
        GdeltSource(settings, client),
    ]
    return [*sources, x] if x.enabled else sources
