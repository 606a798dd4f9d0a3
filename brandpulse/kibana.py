"""Kibana: the `kibana_system` user's password, and BrandPulse's saved objects (data view, saved searches,
the "BrandPulse overview" dashboard) in `es_mappings/kibana/brandpulse.ndjson`, Kibana 9's export format.
"""

from importlib.resources import files
from typing import Any

import httpx
from elasticsearch import AsyncElasticsearch
from pydantic import SecretStr

from brandpulse.settings import Settings

SAVED_OBJECTS = files("es_mappings") / "kibana" / "brandpulse.ndjson"


class ImportFailed(Exception):
    """Kibana could not be reached, or refused some of the saved objects."""


async def set_kibana_system_password(es: AsyncElasticsearch, password: SecretStr) -> None:
    """Give the built-in `kibana_system` user its password so Kibana can connect (real Elasticsearch)."""
    await es.security.change_password(username="kibana_system", password=password.get_secret_value())


def import_saved_objects(settings: Settings, url: str | None = None, timeout_s: float = 60.0) -> int:
    """POST the saved objects to Kibana's import API, overwriting earlier copies (so re-running is harmless).

    Signs in as the Elasticsearch user of the settings (compose: `elastic`). Returns how many objects
    Kibana imported; raises ImportFailed with Kibana's reasons otherwise.
    """
    password = settings.elasticsearch_password
    auth = (
        (settings.elasticsearch_username, password.get_secret_value())
        if settings.elasticsearch_username and password
        else None
    )
    try:
        response = httpx.post(
            f"{(url or settings.kibana_url).rstrip('/')}/api/saved_objects/_import",
            params={"overwrite": "true"},
            headers={"kbn-xsrf": "true"},
            files={"file": ("brandpulse.ndjson", SAVED_OBJECTS.read_bytes(), "application/ndjson")},
            auth=auth,
            timeout=timeout_s,
        )
    except httpx.HTTPError as error:
        raise ImportFailed(f"cannot reach Kibana: {error}") from error
    if response.status_code != httpx.codes.OK:
        raise ImportFailed(f"Kibana answered {response.status_code}: {response.text[:500]}")
    body: dict[str, Any] = response.json()
    if not body.get("success"):
        raise ImportFailed("; ".join(_reason(error) for error in body.get("errors", [])) or str(body))
    return int(body.get("successCount", 0))


def _reason(error: dict[str, Any]) -> str:
    """`type/id: what went wrong` for one entry of the import API's `errors`."""
    return f"{error.get('type')}/{error.get('id')}: {error.get('error', {}).get('type', 'unknown error')}"
