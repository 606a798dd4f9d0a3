"""Kibana's side of Elasticsearch: the built-in `kibana_system` user's password."""

from elasticsearch import AsyncElasticsearch
from pydantic import SecretStr


async def set_kibana_system_password(es: AsyncElasticsearch, password: SecretStr) -> None:
    """Give the built-in `kibana_system` user its password so Kibana can connect (real Elasticsearch)."""
    await es.security.change_password(username="kibana_system", password=password.get_secret_value())
