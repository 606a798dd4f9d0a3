"""The production stack: docker-compose.yml and the Dockerfile, read as files (no Docker needed)."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from brandpulse.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

STORES = ("elasticsearch", "redis", "postgres")
JOBS = ("migrate", "es-setup", "models", "kibana-setup")
OUR_LONG_RUNNING = ("api", "elastic_worker", "persist_worker", "ingester", "simulator")
MONITORING = ("prometheus", "grafana")
LONG_RUNNING = ("kibana", *OUR_LONG_RUNNING, *MONITORING)
SCALABLE = ("elastic_worker", "persist_worker", "ingester")
STORE_DATA = {
    "elasticsearch": "/usr/share/elasticsearch/data",
    "redis": "/data",
    "postgres": "/var/lib/postgresql/data",
}
OUR_SERVICES = (*JOBS, *OUR_LONG_RUNNING)

SETTINGS_NAMES = frozenset(f"BRANDPULSE_{name.upper()}" for name in Settings.model_fields)
# `${NAME...}` that compose interpolates; `$${NAME}` is an escape left for the container's shell.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?")
REQUIRED_INTERPOLATION = re.compile(r"\$\{[A-Z][A-Z0-9_]*:\?[^}]+\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY", re.IGNORECASE)
DEFAULTED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-(?P<default>[^}]*)\}")
URL_PASSWORD = re.compile(r"://[^:/@\s]+:(?P<password>\$\{[^}]*\}|[^@\s]+)@")


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, whether written as a mapping or as `KEY=value` lines."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {str(key): "" if value is None else str(value) for key, value in raw.items()}


def unknown_brandpulse_names(compose: dict[str, Any], text: str) -> set[str]:
    """`BRANDPULSE_*` names set in any service or interpolated anywhere that are not settings fields."""
    names = {name for service in compose["services"].values() for name in environment_of(service)}
    names |= {match["name"] for match in INTERPOLATION.finditer(text)}
    return {name for name in names if name.startswith("BRANDPULSE_")} - SETTINGS_NAMES


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text()


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(compose_text)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


@pytest.fixture(scope="module")
def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = (line.strip() for line in text.splitlines())
    pairs = (line.split(maxsplit=1) for line in lines if line and not line.startswith("#"))
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def arguments_of(instructions: list[tuple[str, str]], instruction: str) -> list[str]:
    """The arguments of every `instruction` in the Dockerfile, in order."""
    return [argument for name, argument in instructions if name == instruction]


def test_expected_services_exist(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {*STORES, *JOBS, *LONG_RUNNING}


@pytest.mark.parametrize("name", [*STORES, *LONG_RUNNING])
def test_long_running_service_has_healthcheck(services: dict[str, dict[str, Any]], name: str) -> None:
    healthcheck = services[name].get("healthcheck") or {}
    assert healthcheck.get("test"), f"{name} has no healthcheck test"
    assert not healthcheck.get("disable", False)


@pytest.mark.parametrize("name", [*STORES, *LONG_RUNNING])
def test_long_running_service_restarts(services: dict[str, dict[str, Any]], name: str) -> None:
    assert services[name].get("restart") == "unless-stopped"


@pytest.mark.parametrize("name", JOBS)
def test_job_never_restarts(services: dict[str, dict[str, Any]], name: str) -> None:
    # A bare `no` in YAML is the boolean False, which compose rejects: it must be the string "no".
    assert services[name].get("restart") == "no"


@pytest.mark.parametrize("name", OUR_SERVICES)
def test_our_service_builds_from_the_dockerfile(services: dict[str, dict[str, Any]], name: str) -> None:
    build = services[name].get("build")
    assert isinstance(build, dict), f"{name} does not build our image"
    assert build.get("context") == "."
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"


def test_only_our_services_build(services: dict[str, dict[str, Any]]) -> None:
    assert {name for name, service in services.items() if "build" in service} == set(OUR_SERVICES)


@pytest.mark.parametrize("name", [*STORES, "kibana", *MONITORING])
def test_third_party_image_is_pinned(services: dict[str, dict[str, Any]], name: str) -> None:
    image = DEFAULTED.sub(r"\g<default>", services[name]["image"])
    repository, _, tag = image.rpartition(":")
    assert repository, f"{image} has no tag"
    assert "/" not in tag, f"{image} has no tag"
    assert tag != "latest"


def test_simulator_runs_only_with_its_profile(services: dict[str, dict[str, Any]]) -> None:
    assert services["simulator"].get("profiles") == ["simulator"]
    assert all("profiles" not in service for name, service in services.items() if name != "simulator")


def test_our_services_share_the_common_environment(services: dict[str, dict[str, Any]]) -> None:
    common = {
        "BRANDPULSE_REDIS_URL",
        "BRANDPULSE_POSTGRES_URL",
        "BRANDPULSE_ELASTICSEARCH_URL",
        "BRANDPULSE_ELASTICSEARCH_USERNAME",
        "BRANDPULSE_ELASTICSEARCH_PASSWORD",
        "BRANDPULSE_LOG_LEVEL",
    }
    for name in OUR_SERVICES:
        assert common <= set(environment_of(services[name])), name


def test_brandpulse_names_are_settings_fields(compose: dict[str, Any], compose_text: str) -> None:
    assert unknown_brandpulse_names(compose, compose_text) == set()


def test_a_misspelled_brandpulse_name_is_caught() -> None:
    compose = {"services": {"api": {"environment": ["BRANDPULSE_REDIS_ULR=redis://redis:6379/0"]}}}
    text = "x: ${BRANDPULSE_LOG_LEVLE:-INFO}"
    assert unknown_brandpulse_names(compose, text) == {"BRANDPULSE_REDIS_ULR", "BRANDPULSE_LOG_LEVLE"}


def test_secrets_are_required_not_defaulted(compose_text: str) -> None:
    secrets = [match for match in INTERPOLATION.finditer(compose_text) if SECRET_NAME.search(match["name"])]
    assert secrets, "no secret is interpolated at all"
    assert {match["name"]: match["op"] for match in secrets} == {match["name"]: ":?" for match in secrets}


def test_password_values_are_not_literals(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for key, value in environment_of(service).items():
            if "PASSWORD" in key.upper():
                assert REQUIRED_INTERPOLATION.fullmatch(value), f"{name}: {key} is not ${{VAR:?...}}"


def test_passwords_in_urls_are_not_literals(services: dict[str, dict[str, Any]]) -> None:
    urls = [value for service in services.values() for value in environment_of(service).values()]
    passwords = [match["password"] for url in urls for match in URL_PASSWORD.finditer(url)]
    assert passwords, "expected the PostgreSQL URL to carry a password"
    assert all(REQUIRED_INTERPOLATION.fullmatch(password) for password in passwords), passwords


def test_depends_on_waits_for_health_or_completion(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on must name a condition"
        for dependency, spec in depends_on.items():
            expected = "service_completed_successfully" if dependency in JOBS else "service_healthy"
            assert spec.get("condition") == expected, f"{name} -> {dependency}"


def test_dockerfile_has_a_builder_and_a_runtime_stage(dockerfile_instructions: list[tuple[str, str]]) -> None:
    assert len(arguments_of(dockerfile_instructions, "FROM")) >= 2


def test_dockerfile_runs_as_non_root(dockerfile_instructions: list[tuple[str, str]]) -> None:
    users = arguments_of(dockerfile_instructions, "USER")
    assert users, "no USER instruction"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_entrypoint_is_brandpulse(dockerfile_instructions: list[tuple[str, str]]) -> None:
    entrypoints = arguments_of(dockerfile_instructions, "ENTRYPOINT")
    assert entrypoints, "no ENTRYPOINT instruction"
    assert json.loads(entrypoints[-1]) == ["brandpulse"]


def test_every_required_variable_is_in_env_example(compose_text: str) -> None:
    required = {match["name"] for match in INTERPOLATION.finditer(compose_text) if match["op"] == ":?"}
    example = (ROOT / ".env.example").read_text()
    assert sorted(name for name in required if not re.search(rf"^{name}=", example, re.MULTILINE)) == []


@pytest.mark.parametrize("name", SCALABLE)
def test_worker_can_be_scaled(services: dict[str, dict[str, Any]], name: str) -> None:
    """Replicas need no fixed name or host port, and keep their default, per-container consumer name."""
    service = services[name]
    assert "container_name" not in service
    assert "ports" not in service
    assert "BRANDPULSE_WORKER_CONSUMER" not in environment_of(service)


@pytest.mark.parametrize("name", STORE_DATA)
def test_store_keeps_its_data_in_a_named_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]], name: str
) -> None:
    volumes = dict(volume.split(":", 1) for volume in services[name]["volumes"])
    (volume,) = (source for source, target in volumes.items() if target == STORE_DATA[name])
    assert volume in compose["volumes"]


def test_kibana_setup_imports_the_saved_objects_once_kibana_is_healthy(
    services: dict[str, dict[str, Any]],
) -> None:
    setup = services["kibana-setup"]
    assert setup["command"] == ["kibana", "import"]
    assert environment_of(setup)["BRANDPULSE_KIBANA_URL"] == "http://kibana:5601"
    assert setup["depends_on"] == {"kibana": {"condition": "service_healthy"}}


def test_our_services_serve_metrics_to_the_compose_network(services: dict[str, dict[str, Any]]) -> None:
    for name in OUR_SERVICES:
        assert environment_of(services[name])["BRANDPULSE_METRICS_HOST"] == "0.0.0.0", name
