"""The mentions indices: their names, their template and their set-up (shared by the worker and the API).

Single layout: one concrete index `<alias>-v1`. Monthly layout: `<alias>-YYYY.MM` by `published_at` (UTC),
auto-created from the index template. Either way the worker writes to concrete indices and readers
search through the alias `<alias>`, which the template gives every `<alias>-*` index.
"""

import json
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError

from brandpulse.settings import Settings

TEMPLATE = files("es_mappings") / "index_templates" / "mentions.json"


def single_index_name(settings: Settings) -> str:
    """The one concrete index of the single layout."""
    return f"{settings.es_alias}-v1"


def index_name(settings: Settings, published_at: datetime) -> str:
    """The concrete index a mention published at `published_at` is written to, always the same one."""
    if settings.es_index_layout == "single":
        return single_index_name(settings)
    return f"{settings.es_alias}-{published_at.astimezone(UTC):%Y.%m}"


def template(settings: Settings) -> dict[str, Any]:
    """The index template body for `settings.es_alias`: `mentions.json` with its patterns and alias."""
    body: dict[str, Any] = json.loads(TEMPLATE.read_text())
    body["index_patterns"] = [f"{settings.es_alias}-*"]
    body["template"]["aliases"] = {settings.es_alias: {}}
    return body


async def ensure_indices(es: AsyncElasticsearch, settings: Settings) -> None:
    """Put the index template named after the alias and, single layout, create `<alias>-v1`; idempotent.

    With the default alias `mentions` the template is exactly `es_mappings/index_templates/mentions.json`.
    Monthly indices need nothing up front: the first write creates each from the template, alias included.
    """
    await es.indices.put_index_template(name=settings.es_alias, **template(settings))
    if settings.es_index_layout != "single":
        return
    name = single_index_name(settings)
    try:
        await es.indices.create(index=name, aliases={settings.es_alias: {}})
    except BadRequestError as error:
        if error.error != "resource_already_exists_exception":
            raise
        await es.indices.put_alias(index=name, name=settings.es_alias)  # in case it was made without
