"""A throwaway PostgreSQL cluster (Debian's `postgresql` package) in a folder of its own, on a
free loopback port: for the tests, the benchmark and `run_replicas.py --postgres`.

    with Cluster(folder) as cluster:        # initdb, start; stop and remove at the end
        url = cluster.url                   # postgresql://dti@127.0.0.1:PORT/dti
        cluster.restart()                   # a server restart, for the fault tests

The server refuses to run as root, so when this process is root the cluster belongs to the
`postgres` user (created by the package) and is started through `runuser`. It listens on
127.0.0.1 only, with a password (random, made here) for the `dti` role: nothing is reachable
from outside and no real secret exists anywhere but in the URL this object hands back.
"""
from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote


class ClusterUnavailable(RuntimeError):
    """PostgreSQL is not installed (or cannot start) here."""


def binaries() -> Path | None:
    """The newest installed server's bin folder, e.g. /usr/lib/postgresql/15/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self, folder: str | os.PathLike, *, port: int | None = None, keep: bool = False):
        self.bin = binaries()
        if self.bin is None:
            raise ClusterUnavailable("PostgreSQL (Debian's postgresql package) is not installed")
        self.folder = Path(folder).resolve()
        self.data = self.folder / "data"
        self.socket_dir = self.folder / "socket"
        self.port = port or free_port()
        self.keep = keep
        self.password = secrets.token_urlsafe(18)
        self.as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql://dti:{quote(self.password)}@127.0.0.1:{self.port}/dti"

    def _run(self, *command: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        argv = [str(self.bin / command[0]), *command[1:]]
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "LC_ALL": "C.UTF-8", "PGTZ": "UTC"})

    def _own(self, path: Path) -> None:
        if self.as_postgres:
            shutil.chown(path, "postgres", "postgres")

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        for path in (self.folder, self.socket_dir):
            self._own(path)
        # The parent folders must be passable by `postgres` (pytest's tmp folders are 0700).
        if self.as_postgres:
            for parent in self.folder.parents:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    os.chmod(parent, mode | 0o001)
        password_file = self.folder / "pwfile"
        password_file.write_text(self.password + "\n")
        os.chmod(password_file, 0o600)
        self._own(password_file)
        try:
            made = self._run("initdb", "-D", str(self.data), "-U", "dti", "--pwfile", str(password_file),
                             "-A", "scram-sha-256", "-E", "UTF8", "--no-instructions", check=False)
            if made.returncode != 0:
                raise ClusterUnavailable(f"initdb failed: {made.stderr.strip()[-1500:]}")
        finally:
            password_file.unlink(missing_ok=True)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# a throwaway cluster: loopback only, small, quick to stop\n"
                       f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                       f"unix_socket_directories = '{self.socket_dir}'\n"
                       "max_connections = 200\nshared_buffers = 64MB\nfsync = on\n"
                       "timezone = 'UTC'\nlog_min_messages = warning\n")

    def start(self) -> None:
        result = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
                           "-t", "60", "start", check=False)
        if result.returncode != 0:
            log = (self.folder / "server.log").read_text(errors="replace")[-2000:] if (
                self.folder / "server.log").exists() else ""
            raise ClusterUnavailable(f"pg_ctl start failed: {result.stderr.strip()} {log}")
        self._wait_ready()

    def _wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready = subprocess.run([str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                   capture_output=True)
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise ClusterUnavailable("PostgreSQL did not become ready")

    def create_database(self, name: str = "dti") -> str:
        """An empty database (dropped first if it exists); returns its URL."""
        import psycopg

        admin = f"postgresql://dti:{quote(self.password)}@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("drop database if exists {} with (force)").format(psycopg.sql.Identifier(name)))
            conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name)))
        return f"postgresql://dti:{quote(self.password)}@127.0.0.1:{self.port}/{name}"

    def stop(self, mode: str = "fast") -> None:
        """Stop the server and wait for it; a fast stop that does not finish in a minute (a
        loaded machine) becomes an immediate one."""
        done = self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)
        if done.returncode != 0 and mode != "immediate" and (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop", check=False)

    def restart(self, pause: float = 0.0) -> None:
        """Stop the server (its connections cut), wait `pause` seconds, start it again."""
        self.stop("fast")
        time.sleep(pause)
        self.start()

    def __enter__(self) -> Cluster:
        self.init()
        self.start()
        self.create_database("dti")
        return self

    def __exit__(self, *exc) -> None:
        self.stop("immediate")
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)
