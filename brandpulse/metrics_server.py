"""Prometheus exposition for processes without an HTTP server of their own (workers, ingesters)."""

import logging

from prometheus_client import start_http_server

log = logging.getLogger(__name__)


def serve(host: str, port: int) -> bool:
    """Serve this process's metrics at `http://host:port/metrics` from a daemon thread.

    Port 0 serves nothing. A port already taken (a second replica on one host) is logged and skipped:
    metrics are not worth stopping the pipeline for. Returns whether metrics are served.
    """
    if not port:
        return False
    try:
        start_http_server(port, addr=host)
    except OSError as error:
        log.warning("metrics not served: cannot listen on %s:%d (%s)", host, port, error)
        return False
    log.info("metrics at http://%s:%d/metrics", host, port)
    return True
