"""Elasticsearch set-up from `es_mappings/`: index templates, and Kibana's system user password."""

import json
from importlib.resources import files
from importlib.resources.abc import Traversable

from elasticsearch import AsyncElasticsearch
from pydantic import SecretStr

TEMPLATES = files("es_mappings") / "index_templates"


async def install(es: AsyncElasticsearch, folder: Traversable = TEMPLATES) -> list[str]:
    """PUT every `<name>.json` in the folder as index template `<name>` (idempotent); returns the names."""
    names: list[str] = []
    if not folder.is_dir():
        return names
    for path in sorted(folder.iterdir(), key=lambda item: item.name):
        if path.name.endswith(".json"):
            name = path.name.removesuffix(".json")
            await es.indices.put_index_template(name=name, **json.loads(path.read_text()))
            names.append(name)
    return names


async def set_kibana_system_password(es: AsyncElasticsearch, password: SecretStr) -> None:
    """Give the built-in `kibana_system` user its password so Kibana can connect (real Elasticsearch)."""
    await es.security.change_password(username="kibana_system", password=password.get_secret_value())
