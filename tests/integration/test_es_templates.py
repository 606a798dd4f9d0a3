"""`brandpulse es setup` installs the index templates from a folder, idempotently."""

import json
from pathlib import Path

from elasticsearch import AsyncElasticsearch

from brandpulse import es_templates


async def test_install_puts_each_template_and_new_indices_use_it(
    es: AsyncElasticsearch, tmp_path: Path, unique: str
) -> None:
    name = f"test-tpl-{unique}"
    body = {
        "index_patterns": [f"{name}-*"],
        "priority": 500,
        "template": {"mappings": {"dynamic": "strict", "properties": {"title": {"type": "text"}}}},
    }
    (tmp_path / f"{name}.json").write_text(json.dumps(body))
    (tmp_path / "notes.txt").write_text("not a template")
    try:
        assert await es_templates.install(es, tmp_path) == [name]
        assert await es_templates.install(es, tmp_path) == [name]
        await es.indices.create(index=f"{name}-1")
        mapping = await es.indices.get_mapping(index=f"{name}-1")
        assert mapping[f"{name}-1"]["mappings"]["dynamic"] == "strict"
    finally:
        await es.indices.delete(index=f"{name}-1", ignore_unavailable=True)
        await es.indices.delete_index_template(name=name)


async def test_a_missing_folder_installs_nothing(es: AsyncElasticsearch, tmp_path: Path) -> None:
    assert await es_templates.install(es, tmp_path / "absent") == []
