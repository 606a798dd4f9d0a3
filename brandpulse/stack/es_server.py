"""The Elasticsearch-API server `noida-db` (../shared/ELASTIC_COMPAT.md), standing in for Elasticsearch."""

import shutil
import sys
from pathlib import Path

import httpx

from brandpulse.stack.component import Component, StackError


class ElasticsearchServer(Component):
    """`noida-db start --only elasticsearch` on loopback, its data in the stack folder."""

    name = "elasticsearch"
    process_name = "noida-db"

    def launch(self) -> None:
        """Start the server in the foreground of its own session (we keep its pid)."""
        argv = [
            noida_db(),
            "start",
            "--only", "elasticsearch",
            "--host", "127.0.0.1",
            "--elasticsearch-port", str(self.port),
            "--data-dir", str(self.dir / "data"),
        ]  # fmt: skip
        self.spawn(argv)

    def healthy(self) -> bool:
        """`GET /_cluster/health` reports green or yellow."""
        try:
            response = httpx.get(f"{self.url.geturl().rstrip('/')}/_cluster/health", timeout=1.0)
            return response.is_success and response.json().get("status") in {"green", "yellow"}
        except (httpx.HTTPError, ValueError):
            return False


def noida_db() -> str:
    """The `noida-db` executable beside this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / "noida-db"
    found = str(beside) if beside.exists() else shutil.which("noida-db")
    if found is None:
        raise StackError("elasticsearch: noida-db not found; pip install 'brandpulse[stack]'")
    return found
