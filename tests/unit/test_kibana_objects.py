"""The Kibana saved objects, checked without Kibana: each parses, each reference resolves inside the file,
and each field the data view, a saved search or a Lens panel uses exists in the index template with a type
that use needs (a field renamed or retyped in the mapping fails here).
"""

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NDJSON = ROOT / "es_mappings" / "kibana" / "brandpulse.ndjson"
TEMPLATE = ROOT / "es_mappings" / "index_templates" / "mentions.json"

NUMERIC = frozenset({"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float"})
STRING = frozenset({"keyword", "constant_keyword", "wildcard", "text", "match_only_text"})
DATE = frozenset({"date", "date_nanos"})
NOT_AGGREGATABLE = frozenset({"text", "match_only_text"})
# Lens column data types and field format ids -> the mapping types they work on.
LENS_DATA_TYPES = {"number": NUMERIC, "string": STRING, "date": DATE, "boolean": frozenset({"boolean"})}
FORMATS = {
    "url": STRING | NUMERIC,
    "number": NUMERIC,
    "percent": NUMERIC,
    "bytes": NUMERIC,
    "date": DATE,
    "color": STRING | NUMERIC,
    "static_lookup": STRING | NUMERIC,
}
METRIC_OPERATIONS = frozenset({"average", "sum", "min", "max", "median", "standard_deviation"})
KQL_FIELD = re.compile(r"(?<![\w.\"])([A-Za-z_][\w.]*)\s*:")
RECORDS = "___records___"  # Lens's pseudo-field for count()
EXPORT_KEYS = frozenset(
    {"type", "id", "attributes", "references", "coreMigrationVersion", "typeMigrationVersion"}
)
JSON_ATTRIBUTES = ("fieldFormatMap", "fieldAttrs", "fields", "runtimeFieldMap", "panelsJSON", "optionsJSON")
PANELS = {  # what the issue asks the dashboard to show: panel title -> visualization type
    "Mentions over time by brand": "lnsXY",
    "Sentiment over time": "lnsXY",
    "Share of voice": "lnsPie",
    "Top entities": "lnsXY",
    "Top keywords": "lnsXY",
    "Top sources": "lnsDatatable",
}


@dataclass(frozen=True)
class Field:
    """What Kibana will know about one field of the mapping."""

    type: str
    aggregatable: bool
    searchable: bool
    nested: bool


@dataclass(frozen=True)
class Use:
    """A field an object uses, and what it needs the field to be."""

    object_id: str
    field: str
    types: frozenset[str] | None = None  # None: any type
    aggregatable: bool = False
    searchable: bool = False


def mapping_fields(properties: dict[str, Any], prefix: str = "", nested: bool = False) -> dict[str, Field]:
    """Every field path of a mapping's `properties`, multi-fields (`title.raw`) included."""
    found: dict[str, Field] = {}
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        kind = spec.get("type", "object")
        if "properties" in spec:
            found |= mapping_fields(spec["properties"], f"{path}.", nested or kind == "nested")
            continue
        if kind == "object":  # `enabled: false`: kept in _source, not a field
            continue
        indexed = spec.get("index", True)
        aggregatable = kind not in NOT_AGGREGATABLE and spec.get("doc_values", True)
        found[path] = Field(kind, aggregatable, indexed, nested)
        for sub, sub_spec in spec.get("fields", {}).items():
            sub_kind = sub_spec["type"]
            found[f"{path}.{sub}"] = Field(sub_kind, sub_kind not in NOT_AGGREGATABLE, True, nested)
    return found


def load(path: Path = NDJSON) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def template_fields(template: dict[str, Any]) -> dict[str, Field]:
    return mapping_fields(template["template"]["mappings"]["properties"])


def search_source(attributes: dict[str, Any]) -> dict[str, Any]:
    source: dict[str, Any] = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
    return source


def kql_fields(query: dict[str, Any]) -> list[str]:
    return KQL_FIELD.findall(query.get("query", "")) if query.get("language") == "kuery" else []


def data_view_uses(obj: dict[str, Any]) -> Iterator[Use]:
    attributes, oid = obj["attributes"], obj["id"]
    yield Use(oid, attributes["timeFieldName"], DATE, aggregatable=True)
    for field, fmt in json.loads(attributes.get("fieldFormatMap") or "{}").items():
        yield Use(oid, field, FORMATS[fmt["id"]])
    for field in json.loads(attributes.get("fieldAttrs") or "{}"):
        yield Use(oid, field)


def search_uses(obj: dict[str, Any]) -> Iterator[Use]:
    attributes, oid = obj["attributes"], obj["id"]
    for column in attributes.get("columns", []):
        if column != "_source":
            yield Use(oid, column)
    for field, _direction in attributes.get("sort", []):
        yield Use(oid, field, aggregatable=True)
    if "breakdownField" in attributes:
        yield Use(oid, attributes["breakdownField"], aggregatable=True)
    for field in kql_fields(search_source(attributes).get("query", {})):
        yield Use(oid, field, searchable=True)


def lens_uses(obj: dict[str, Any]) -> Iterator[Use]:
    state, oid = obj["attributes"]["state"], obj["id"]
    for field in kql_fields(state.get("query", {})):
        yield Use(oid, field, searchable=True)
    for layer in state["datasourceStates"]["formBased"]["layers"].values():
        for column in layer["columns"].values():
            field, operation = column.get("sourceField"), column["operationType"]
            if field is None or field == RECORDS:
                continue
            types = LENS_DATA_TYPES[column["dataType"]]
            if operation in METRIC_OPERATIONS:
                types = NUMERIC
            yield Use(oid, field, types, aggregatable=True)


USES = {"index-pattern": data_view_uses, "search": search_uses, "lens": lens_uses}


def uses_of(obj: dict[str, Any]) -> Iterator[Use]:
    """The fields one saved object uses (a dashboard uses none itself)."""
    if obj["type"] in USES:
        yield from USES[obj["type"]](obj)


def problems(objects: list[dict[str, Any]], fields: dict[str, Field]) -> list[str]:
    """Every use of a field that the mapping cannot serve, as `object: field: why`."""
    found = []
    for obj in objects:
        for use in uses_of(obj):
            field = fields.get(use.field)
            why = (
                "not in the mapping"
                if field is None
                else f"is {field.type}, not one of {sorted(use.types)}"
                if use.types is not None and field.type not in use.types
                else "is not aggregatable"
                if use.aggregatable and not field.aggregatable
                else "is not searchable"
                if use.searchable and not field.searchable
                else "is inside a nested field, which Kibana cannot aggregate or filter on directly"
                if field.nested
                else None
            )
            if why:
                found.append(f"{use.object_id}: {use.field} {why}")
    return found


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(dashboard["attributes"]["panelsJSON"])
    return found


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return load()


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TEMPLATE.read_text())
    return loaded


@pytest.fixture(scope="module")
def by_id(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(obj["type"], obj["id"]): obj for obj in objects}


def test_every_line_is_a_saved_object_in_export_format(objects: list[dict[str, Any]]) -> None:
    assert objects
    for obj in objects:
        assert set(obj) >= EXPORT_KEYS, obj.get("id")
        assert re.fullmatch(r"\d+\.\d+\.\d+", obj["typeMigrationVersion"]), obj["id"]
        assert obj["attributes"].get("title"), obj["id"]


def test_ids_are_unique(objects: list[dict[str, Any]]) -> None:
    keys = [(obj["type"], obj["id"]) for obj in objects]
    assert len(keys) == len(set(keys))


def test_embedded_json_strings_parse(objects: list[dict[str, Any]]) -> None:
    for obj in objects:
        attributes = obj["attributes"]
        for name in JSON_ATTRIBUTES:
            if name in attributes:
                json.loads(attributes[name])
        if "kibanaSavedObjectMeta" in attributes:
            search_source(attributes)


def test_every_reference_resolves_inside_the_file(
    objects: list[dict[str, Any]], by_id: dict[tuple[str, str], dict[str, Any]]
) -> None:
    for obj in objects:
        for reference in obj["references"]:
            assert (reference["type"], reference["id"]) in by_id, f"{obj['id']} -> {reference}"


def test_every_named_reference_slot_is_filled(objects: list[dict[str, Any]]) -> None:
    """Searches point at their data view, Lens layers at theirs, dashboard panels at their objects."""
    for obj in objects:
        names = {reference["name"] for reference in obj["references"]}
        attributes = obj["attributes"]
        if obj["type"] == "search":
            assert search_source(attributes)["indexRefName"] in names, obj["id"]
        if obj["type"] == "lens":
            for layer in attributes["state"]["datasourceStates"]["formBased"]["layers"]:
                assert f"indexpattern-datasource-layer-{layer}" in names, obj["id"]
        if obj["type"] == "dashboard":
            for panel in panels(obj):
                assert f"{panel['panelIndex']}:{panel['panelRefName']}" in names, panel


def test_lens_accessors_name_columns_of_their_layer(objects: list[dict[str, Any]]) -> None:
    for obj in (o for o in objects if o["type"] == "lens"):
        state = obj["attributes"]["state"]
        layers = state["datasourceStates"]["formBased"]["layers"]
        for layer in layers.values():
            assert set(layer["columnOrder"]) == set(layer["columns"]), obj["id"]
        visualization = json.dumps(state["visualization"])
        for layer_id, layer in layers.items():
            assert f'"{layer_id}"' in visualization, obj["id"]
            for column in layer["columns"]:
                assert f'"{column}"' in visualization, f"{obj['id']}: column {column} is not shown"


def test_dashboard_shows_what_the_issue_asks_for(
    objects: list[dict[str, Any]], by_id: dict[tuple[str, str], dict[str, Any]]
) -> None:
    dashboard = next(obj for obj in objects if obj["type"] == "dashboard")
    assert dashboard["attributes"]["title"] == "BrandPulse overview"
    references = {reference["name"]: reference for reference in dashboard["references"]}
    shown = [references[f"{p['panelIndex']}:{p['panelRefName']}"] for p in panels(dashboard)]
    lenses = {
        by_id[("lens", ref["id"])]["attributes"]["title"]: by_id[("lens", ref["id"])]["attributes"]
        for ref in shown
        if ref["type"] == "lens"
    }
    assert {title: lens["visualizationType"] for title, lens in lenses.items()} == PANELS
    assert any(ref["type"] == "search" for ref in shown), "no mentions table"


def test_data_view_is_on_the_alias_with_published_at_as_time(objects: list[dict[str, Any]]) -> None:
    (data_view,) = (obj for obj in objects if obj["type"] == "index-pattern")
    assert data_view["attributes"]["title"] == "mentions"
    assert data_view["attributes"]["timeFieldName"] == "published_at"
    formats = json.loads(data_view["attributes"]["fieldFormatMap"])
    assert formats["url"]["id"] == "url"
    assert {"sentiment.label", "sentiment.score"} <= set(formats)


def test_every_used_field_exists_in_the_mapping_with_a_fitting_type(
    objects: list[dict[str, Any]], template: dict[str, Any]
) -> None:
    assert problems(objects, template_fields(template)) == []


def test_the_checker_sees_every_kind_of_use(objects: list[dict[str, Any]]) -> None:
    used = {use.field for obj in objects for use in uses_of(obj)}
    assert used >= {"published_at", "url", "brand_ids", "sentiment.label", "entity_keys", "keywords"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("rename entity_keys", "entity_keys not in the mapping"),
        ("rename published_at", "published_at not in the mapping"),
        ("retype sentiment.score as keyword", "sentiment.score is keyword"),
        ("retype brand_ids as text", "brand_ids is text"),
        ("make source unaggregatable", "source is not aggregatable"),
    ],
)
def test_a_changed_mapping_fails_the_check(
    objects: list[dict[str, Any]], template: dict[str, Any], change: str, expected: str
) -> None:
    mutated = copy.deepcopy(template)
    properties = mutated["template"]["mappings"]["properties"]
    verb, field, *rest = change.split(" ")
    if verb == "rename":
        properties[f"{field}_renamed"] = properties.pop(field)
    elif verb == "retype":
        parent, _, leaf = field.rpartition(".")
        target = properties[parent]["properties"] if parent else properties
        target[leaf] = {"type": rest[-1]}
    else:
        properties[field]["doc_values"] = False
    assert any(expected in problem for problem in problems(objects, template_fields(mutated)))
