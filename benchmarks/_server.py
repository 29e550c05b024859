"""Helpers for the server benchmarks: a throwaway database, a target server, a `steward serve` child,
its CPU and memory, and quantiles from a Prometheus histogram.

Everything listens on 127.0.0.1. PostgreSQL is STEWARD_BENCH_POSTGRES (default the local server as
user postgres); each run uses its own database and drops it afterwards.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import CursorResult, Engine, insert

from pysteward.server.estate.models import Service
from pysteward.server.monitors.models import Monitor, MonitorKind, State
from pysteward.server.tenancy.models import Client
from pysteward.store import make_engine, migrate

__all__ = [
    "DATABASES",
    "ServerProcess",
    "database",
    "database_size",
    "free_port",
    "histogram_quantiles",
    "parse_arguments",
    "seed_http_monitors",
    "serve",
    "target_server",
]

POSTGRES = os.environ.get("STEWARD_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
DATABASES = ("sqlite", "postgresql")

_TARGET = """
import sys
from aiohttp import web

async def ok(request):
    return web.Response(text="ok")

app = web.Application()
app.router.add_get("/ok", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def target_server() -> Iterator[str]:
    """A small aiohttp server answering 200 on /ok; yields its base URL."""
    port = free_port()
    child = subprocess.Popen([sys.executable, "-c", _TARGET, str(port)])
    try:
        _wait_for(f"http://127.0.0.1:{port}/ok")
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        child.wait(10)


def parse_arguments(doc: str, **defaults: float) -> argparse.Namespace:
    """A benchmark's command line: `--NAME` per default (typed like it), then `--database` (repeatable;
    `args.database` is every kind in `DATABASES` when none is given)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in defaults.items():
        parser.add_argument(f"--{name}", type=type(default), default=default)
    parser.add_argument("--database", choices=DATABASES, action="append")
    args = parser.parse_args()
    args.database = args.database or list(DATABASES)
    return args


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A migrated empty database of `kind` (sqlite or postgresql); yields its URL."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="steward-bench-") as work:
            url = f"sqlite:///{Path(work) / 'steward.sqlite3'}"
            migrate(url)
            yield url
        return
    name = f"steward_bench_{os.getpid()}"
    admin_dsn = POSTGRES.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{POSTGRES}/{name}"
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_size(url: str) -> int:
    """Bytes on disk: the SQLite file with its WAL, or pg_database_size."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with make_engine(url).connect() as connection:
        size: int = connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
        return size


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def seed_http_monitors(
    engine: Engine, *, count: int, url: str, interval: int, spread: bool = True, services: int = 50
) -> None:
    """`count` HTTP monitors on `services` services of one client, first runs spread over one interval."""
    now = datetime.now(UTC)
    with engine.begin() as connection:
        client_id = _new_id(connection.execute(insert(Client).values(name="Bench", created_at=now)))
        service_ids = [
            _new_id(
                connection.execute(
                    insert(Service).values(
                        client_id=client_id,
                        name=f"service-{i}",
                        environment="production",
                        owners=[],
                        repository_paths=[],
                        tags=[f"tier-{i % 3}"],
                        created_at=now,
                    )
                )
            )
            for i in range(services)
        ]
        rows = [
            {
                "service_id": service_ids[i % services],
                "name": f"monitor-{i:05d}",
                "kind": MonitorKind.HTTP,
                "config": {"url": url},
                "interval_seconds": interval,
                "timeout_seconds": 10.0,
                "failures_before_down": 1,
                "successes_before_up": 1,
                "maintenance": False,
                "enabled": True,
                "created_at": now,
                "state": State.UNKNOWN,
                "state_since": now,
                "consecutive_failures": 0,
                "consecutive_successes": 0,
                "next_run_at": now + timedelta(seconds=interval * i / count) if spread else now,
            }
            for i in range(count)
        ]
        for start in range(0, len(rows), 1000):
            connection.execute(insert(Monitor), rows[start : start + 1000])


class ServerProcess:
    """A running `steward serve` child: its URL, CPU seconds and peak RSS from /proc."""

    def __init__(self, child: subprocess.Popen[bytes], url: str):
        self.child = child
        self.url = url

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def peak_rss(self) -> int:
        for line in Path(f"/proc/{self.child.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0


@contextmanager
def serve(
    database_url: str, *, runner: bool = True, extra_env: dict[str, str] | None = None
) -> Iterator[ServerProcess]:
    """`steward serve` on a free port of 127.0.0.1 against `database_url`, stopped with SIGTERM."""
    port = free_port()
    env = {
        **os.environ,
        "STEWARD_DATABASE_URL": database_url,
        "STEWARD_ALLOW_PRIVATE_TARGETS": "127.0.0.1/32",
        "STEWARD_RUNNER": "true" if runner else "false",
        "STEWARD_SECRET_KEY": "b" * 48,
        **(extra_env or {}),
    }
    steward = str(Path(sys.executable).with_name("steward"))
    child = subprocess.Popen(
        [steward, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/api/v1/openapi.json", 60)
        yield ServerProcess(child, url)
    finally:
        child.terminate()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def histogram_quantiles(
    before: str, after: str, name: str, quantiles: tuple[float, ...]
) -> dict[float, float]:
    """Quantiles (upper bucket bounds) of the observations a Prometheus histogram gained between two
    scrapes of /metrics text; `name` is the metric's base name (without `_bucket`)."""

    def buckets(text: str) -> dict[float, float]:
        found: dict[float, float] = {}
        for line in text.splitlines():
            if line.startswith(f"{name}_bucket{{"):
                labels, _, value = line.rpartition(" ")
                bound = labels.split('le="', 1)[1].split('"', 1)[0]
                key = float("inf") if bound == "+Inf" else float(bound)
                found[key] = found.get(key, 0.0) + float(value)
        return found

    start, end = buckets(before), buckets(after)
    gained = sorted((bound, end[bound] - start.get(bound, 0.0)) for bound in end)
    total = gained[-1][1] if gained else 0.0
    result: dict[float, float] = {}
    for q in quantiles:
        wanted = q * total
        result[q] = next((bound for bound, count in gained if count >= wanted), float("nan"))
    return result
