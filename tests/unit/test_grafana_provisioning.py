"""Prometheus and Grafana provisioning, checked without either: the dashboard's PromQL names exactly the
metrics the code exports, its data source is the provisioned one, and Prometheus scrapes every BrandPulse
service on the port its settings serve metrics on.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics_core import Metric

import api.metrics
import ingest.metrics
import workers.metrics
from brandpulse.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "brandpulse-pipeline.json"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
PROVIDERS = DEPLOY / "grafana" / "provisioning" / "dashboards" / "brandpulse.yml"
PROMETHEUS = DEPLOY / "prometheus" / "prometheus.yml"
COMPOSE = ROOT / "docker-compose.yml"
METRIC_NAME = re.compile(r"\bbrandpulse_[a-z0-9_]+")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
MODULES = (api.metrics, workers.metrics, ingest.metrics)  # imported so their metrics are registered
DEFAULTS = Settings(_env_file=None)
# Compose service -> the port its /metrics is on.
SCRAPED = {
    "api": DEFAULTS.api_port,
    "elastic_worker": DEFAULTS.elastic_worker_metrics_port,
    "persist_worker": DEFAULTS.persist_worker_metrics_port,
    "ingester": DEFAULTS.ingest_metrics_port,
    "simulator": DEFAULTS.ingest_metrics_port,
}


def families() -> list[Metric]:
    return [family for family in REGISTRY.collect() if family.name.startswith("brandpulse_")]


def exported_series() -> set[str]:
    """Every series name the code can export, e.g. `brandpulse_worker_batch_seconds_bucket`."""
    return {family.name + suffix for family in families() for suffix in SUFFIXES[family.type]}


def targets(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [target for panel in dashboard["panels"] for target in panel.get("targets", [])]


def unknown_metrics(exprs: list[str], exported: set[str]) -> set[str]:
    """Metric names in the PromQL that the code does not export."""
    return {name for expr in exprs for name in METRIC_NAME.findall(expr)} - exported


def load_yaml(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def test_the_code_exports_metrics_with_conventional_names() -> None:
    assert {module.__name__ for module in MODULES} == {"api.metrics", "workers.metrics", "ingest.metrics"}
    for family in families():
        if family.type == "counter":
            assert not family.name.endswith("_total")  # the client adds it to the series
        if family.type == "histogram":
            assert family.name.endswith(("_seconds", "_entries")), family.name


def test_the_dashboard_queries_only_exported_metrics(dashboard: dict[str, Any]) -> None:
    exprs = [target["expr"] for target in targets(dashboard)]
    assert exprs
    assert unknown_metrics(exprs, exported_series()) == set()


def test_a_renamed_metric_fails_the_check(dashboard: dict[str, Any]) -> None:
    exprs = [target["expr"] for target in targets(dashboard)]
    renamed = exported_series() - {"brandpulse_worker_stream_lag_entries"}
    assert unknown_metrics(exprs, renamed) == {"brandpulse_worker_stream_lag_entries"}


def test_every_exported_metric_is_on_the_dashboard(dashboard: dict[str, Any]) -> None:
    shown = " ".join(target["expr"] for target in targets(dashboard))
    assert [family.name for family in families() if family.name not in shown] == []


def test_panels_use_the_provisioned_data_source(dashboard: dict[str, Any]) -> None:
    (datasource,) = load_yaml(DATASOURCES)["datasources"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
        assert panel["targets"], panel["title"]
        assert all(target["datasource"]["uid"] == datasource["uid"] for target in panel["targets"])


def test_panels_have_unique_ids_and_ref_ids(dashboard: dict[str, Any]) -> None:
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        refs = [target["refId"] for target in panel.get("targets", [])]
        assert len(refs) == len(set(refs)), panel["title"]
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"])


def test_the_dashboard_covers_throughput_lag_dead_letters_and_latency(dashboard: dict[str, Any]) -> None:
    titles = " ".join(panel["title"].lower() for panel in dashboard["panels"])
    assert all(word in titles for word in ("published", "processed", "lag", "dead letters", "latency"))


def test_the_dashboard_provider_reads_the_mounted_folder() -> None:
    (provider,) = load_yaml(PROVIDERS)["providers"]
    grafana = load_yaml(COMPOSE)["services"]["grafana"]
    mounts = dict(volume.rsplit(":", 2)[:2] for volume in grafana["volumes"] if volume.startswith("./"))
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{provider['options']['path']}/{DASHBOARD.name}"


def test_prometheus_scrapes_every_brandpulse_service_on_its_metrics_port() -> None:
    jobs = {job["job_name"]: job for job in load_yaml(PROMETHEUS)["scrape_configs"]}
    for service, port in SCRAPED.items():
        (discovery,) = jobs[service]["dns_sd_configs"]
        assert discovery["names"] == [service]
        assert discovery["port"] == port, service


def test_every_long_running_brandpulse_service_is_scraped() -> None:
    services = load_yaml(COMPOSE)["services"]
    ours = {
        name
        for name, service in services.items()
        if "build" in service and service.get("restart") == "unless-stopped"
    }
    assert ours == set(SCRAPED)
    mounted = services["prometheus"]["volumes"][0]
    assert mounted.startswith("./deploy/prometheus/prometheus.yml:")
