"""PostgreSQL from Debian, run with `initdb` / `pg_ctl` on a private port and data folder."""

import os
import pwd
import signal
import subprocess
from pathlib import Path
from urllib.parse import unquote

from brandpulse.stack.component import Component, StackError

PG_VERSIONS = ("15", "16", "17")  # the first installed one wins
MAX_LOCKS_PER_TRANSACTION = 256  # the persist worker's locks per batch (docs/operations.md); default 64
CREATE_DATABASE = """SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\\gexec
"""


class PostgresServer(Component):
    """A private PostgreSQL cluster; as root it runs as the `postgres` user, as initdb requires."""

    name = "postgres"
    process_name = "postgres"
    stop_signal = signal.SIGINT  # PostgreSQL's "fast" shutdown: roll back clients, checkpoint, exit

    @property
    def data(self) -> Path:
        """The cluster's data folder."""
        return self.dir / "data"

    def pid_file(self) -> Path:
        """PostgreSQL keeps the postmaster's pid on the first line of `postmaster.pid`."""
        return self.data / "postmaster.pid"

    def launch(self) -> None:
        """initdb on first use, then start the postmaster with pg_ctl."""
        user = _run_as()
        self.log.touch()
        if user:
            _chown_tree(self.dir, user)  # the server writes its log and owns its data
            if subprocess.run(["test", "-w", str(self.dir)], user=user, check=False).returncode:
                raise StackError(
                    f"postgres: user {user!r} cannot reach {self.dir}; choose a stack_dir it can"
                )
        if not (self.data / "PG_VERSION").exists():
            self._initdb(user)
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        options += f" -c max_locks_per_transaction={MAX_LOCKS_PER_TRANSACTION}"
        self._run(["pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"], user)

    def healthy(self) -> bool:
        """`pg_isready` says the server accepts connections."""
        result = subprocess.run(
            [str(bindir() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "1"],
            check=False,
        )
        return result.returncode == 0

    def after_healthy(self) -> None:
        """Create the URL's database when it does not exist yet."""
        self._run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", "postgres",
             "-v", "ON_ERROR_STOP=1", "-v", f"db={self.database}", "-q", "-f", "-"],
            user=None,
            stdin=CREATE_DATABASE,
            env={**os.environ, "PGPASSWORD": self.password},
        )  # fmt: skip

    @property
    def user(self) -> str:
        """The role named in the URL (the cluster's superuser)."""
        return unquote(self.url.username or "postgres")

    @property
    def password(self) -> str:
        """The role's password from the URL ('' for none)."""
        return unquote(self.url.password or "")

    @property
    def database(self) -> str:
        """The database named in the URL."""
        return unquote(self.url.path.lstrip("/")) or self.user

    def _initdb(self, user: str | None) -> None:
        password_file = self.dir / "initdb-password"
        password_file.write_text(self.password)
        password_file.chmod(0o600)
        if user:
            _chown_tree(password_file, user)
        auth = (
            ["--auth-host=scram-sha-256", f"--pwfile={password_file}"]
            if self.password
            else ["--auth-host=trust"]
        )
        try:
            self._run(
                ["initdb", "-D", str(self.data), "-U", self.user, "-E", "UTF8", "--locale=C.UTF-8",
                 "--auth-local=peer", *auth],
                user,
            )  # fmt: skip
        finally:
            password_file.unlink()

    def _run(
        self, argv: list[str], user: str | None, stdin: str = "", env: dict[str, str] | None = None
    ) -> None:
        """Run a PostgreSQL tool to completion, its output appended to the log."""
        with self.log.open("ab") as log:
            result = subprocess.run(
                [str(bindir() / argv[0]), *argv[1:]],
                input=stdin.encode(),
                stdout=log,
                stderr=log,
                user=user,
                env=env,
                check=False,
            )
        if result.returncode != 0:
            raise self.fail(f"{argv[0]} exited with {result.returncode}")


def bindir() -> Path:
    """The bin folder of the first installed Debian PostgreSQL version."""
    for version in PG_VERSIONS:
        folder = Path(f"/usr/lib/postgresql/{version}/bin")
        if (folder / "pg_ctl").exists():
            return folder
    raise StackError("postgres: PostgreSQL server not found; install Debian's postgresql-15 (make install)")


def _run_as() -> str | None:
    """PostgreSQL refuses to run as root: as root, use the `postgres` user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise StackError(
            "postgres: running as root needs a 'postgres' user (Debian's package adds it)"
        ) from None
    return "postgres"


def _chown_tree(top: Path, user: str) -> None:
    account = pwd.getpwnam(user)
    for path in (top, *top.rglob("*")):
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
