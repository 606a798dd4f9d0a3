"""Several uvicorn processes on one port, each listening on a socket of its own (Linux `SO_REUSEPORT`).

uvicorn's own `--workers` shares one listening socket among its processes, and whichever process wakes first
accepts every connection waiting. Clients that keep their connections open (dashboards, a reverse proxy's
pool, a load generator) then pile onto one process while the other idles: 16 connections opened together
split 11/5, 15/1, 14/2 and 13/3 between two processes, and a bench column of rollup requests measured p95
78 ms with one process serving them all against 31-35 ms when they were shared. With a socket per process
the kernel spreads new connections over the processes by a hash of their addresses, as nginx's `reuseport`
does.

The parent binds the port once without `SO_REUSEPORT` first, so that a port in use (by another copy of the
API, too) fails at once with a clear message rather than sharing its connections. A process that exits is
started again; one that fails at startup stops the rest; all stop when the parent dies, even by SIGKILL.
"""

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from typing import Final

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("uvicorn.error")
STOP_TIMEOUT_S: Final = 30.0  # a process's graceful shutdown, then it is killed
PR_SET_PDEATHSIG: Final = 1  # prctl(2): the signal a process gets when its parent dies (Linux)


def supported(config: uvicorn.Config) -> bool:
    """Whether processes can each have their own socket: TCP on a fixed port of a kernel that balances."""
    return sys.platform == "linux" and config.uds is None and config.fd is None and config.port != 0


def run(config: uvicorn.Config, processes: int) -> int:
    """Serve `config` (its app an import string) from `processes` processes until SIGINT or SIGTERM;
    returns the exit status."""
    try:
        _check_free(config.host, config.port)
    except OSError as error:
        log.error("cannot listen on %s:%d: %s", config.host, config.port, error)
        return STARTUP_FAILURE
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    context = multiprocessing.get_context("spawn")
    running = [_start(context, config) for _ in range(processes)]
    log.info("serving on http://%s:%d from %d processes", config.host, config.port, processes)
    status = 0
    while not stopping.wait(0.5):
        for index, process in enumerate(running):
            if process.is_alive():
                continue
            if process.exitcode == STARTUP_FAILURE:
                log.error("API process %s failed to start; stopping", process.pid)
                status = STARTUP_FAILURE
                stopping.set()
                break
            log.warning("API process %s exited with %s; starting another", process.pid, process.exitcode)
            running[index] = _start(context, config)
    for process in running:
        process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    for process in running:
        process.join(STOP_TIMEOUT_S)
        if process.is_alive():
            log.warning("API process %s did not stop within %.0f s; killing it", process.pid, STOP_TIMEOUT_S)
            process.kill()
            process.join()
    return status


def _check_free(host: str, port: int) -> None:
    """Raise OSError when something listens on the port (a bind without `SO_REUSEPORT` fails then)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _start(context: multiprocessing.context.SpawnContext, config: uvicorn.Config) -> BaseProcess:
    process = context.Process(target=_serve, args=(config, os.getpid()), name="brandpulse-api", daemon=False)
    process.start()
    return process


def _serve(config: uvicorn.Config, parent: int) -> None:
    """One process: its own socket on the shared port, then uvicorn until SIGINT or SIGTERM (also sent when
    the parent dies, so that no orphan keeps serving the port)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the line above
        raise SystemExit(0)
    config.configure_logging()  # a spawned process starts without the parent's logging
    sock = socket.socket(_family(config.host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as error:
        log.error("cannot listen on %s:%d: %s", config.host, config.port, error)
        raise SystemExit(STARTUP_FAILURE) from error
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
