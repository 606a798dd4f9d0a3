"""`api`, `workers` and `ingest` build on `brandpulse` and never import each other."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
APPS = ("api", "workers", "ingest")


def imported_top_level_names(package: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", APPS)
def test_app_packages_do_not_import_each_other(package: str) -> None:
    others = set(APPS) - {package}
    assert imported_top_level_names(package) & others == set()


def test_the_core_imports_no_app_package() -> None:
    assert imported_top_level_names("brandpulse") & set(APPS) == set()
