"""`steward serve` and `steward db migrate`: wiring (uvicorn replaced), errors, and one real server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from pysteward.cli import serve
from pysteward.server.models import Client, Monitor
from pysteward.server.settings import Settings
from pysteward.store import head_revision, make_engine, make_session_factory
from tests.cli.conftest import Steward


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[FastAPI, Settings]]:
    """`run_server` replaced: records what would have been served instead of blocking."""
    calls: list[tuple[FastAPI, Settings]] = []
    monkeypatch.setattr(serve, "run_server", lambda app, settings: calls.append((app, settings)))
    for name in ("STEWARD_HOST", "STEWARD_PORT", "STEWARD_DATABASE_URL", "STEWARD_ALLOW_PRIVATE_TARGETS"):
        monkeypatch.delenv(name, raising=False)
    return calls


def test_serve_builds_the_app_from_options_and_migrates(
    steward: Steward, served: list[tuple[FastAPI, Settings]], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = steward("serve", "--host", "127.0.0.1", "--port", 8123, "--database-url", url, "--no-runner")
    assert result.exit_code == 0, result.output
    [(app, settings)] = served
    assert (settings.host, settings.port, settings.database_url, settings.runner) == (
        "127.0.0.1",
        8123,
        url,
        False,
    )
    assert app.state.settings is settings
    assert "serving on http://127.0.0.1:8123" in result.stderr
    revision = steward("db", "migrate", "--database-url", url)
    assert revision.stdout.strip().endswith(f"at revision {head_revision()}")


def test_an_unsafe_setting_is_one_line_naming_the_variable_and_exit_2(
    steward: Steward, served: list[tuple[FastAPI, Settings]]
) -> None:
    result = steward("serve", env={"STEWARD_SECRET_KEY": "changeme"})
    assert result.exit_code == 2
    assert result.stderr.startswith("error: STEWARD_SECRET_KEY")
    assert len(result.stderr.splitlines()) == 1
    assert served == []


def test_an_unreachable_database_is_one_line_and_exit_3(
    steward: Steward, served: list[tuple[FastAPI, Settings]]
) -> None:
    result = steward("serve", "--database-url", "postgresql+psycopg://nobody@127.0.0.1:9/steward")
    assert result.exit_code == 3
    assert "cannot migrate the database" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert served == []
    migrate = steward("db", "migrate", "--database-url", "postgresql+psycopg://nobody@127.0.0.1:9/steward")
    assert migrate.exit_code == 3


def test_db_migrate_brings_each_database_to_the_head(steward: Steward, database_url: str) -> None:
    result = steward("db", "migrate", "--database-url", database_url)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(f"at revision {head_revision()}")


def test_db_migrate_defaults_to_the_embedded_database(
    steward: Steward, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEWARD_DATABASE_URL", raising=False)
    result = steward("db", "migrate")
    assert result.exit_code == 0, result.output
    assert "steward.sqlite3: at revision" in result.stdout


def _count(url: str, model: type[Any]) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def test_demo_serves_a_target_seeds_once_and_prints_a_working_login(
    steward: Steward, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: FastAPI, settings: Settings) -> None:
        with make_session_factory(app.state.engine)() as session:
            http = session.scalars(select(Monitor).where(Monitor.name == "Home page")).one()
        seen["url"] = http.config["url"]
        seen["status"] = httpx.get(http.config["url"], timeout=5).status_code
        seen["settings"] = settings

    monkeypatch.setattr(serve, "run_server", fake_run)
    monkeypatch.delenv("STEWARD_ALLOW_PRIVATE_TARGETS", raising=False)
    result = steward("serve", "--demo", "--database-url", database_url, "--no-runner", "--port", 8124)
    assert result.exit_code == 0, result.output
    assert seen["status"] == 200
    assert "127.0.0.1/32" in seen["settings"].allow_private_targets
    assert "admin@demo.invalid" in result.stdout
    assert "seeded a demo estate" in result.stdout
    assert "export STEWARD_SERVER=http://127.0.0.1:8124 STEWARD_TOKEN=stw_" in result.stdout
    assert (_count(database_url, Client), _count(database_url, Monitor)) == (2, 11)
    with pytest.raises(httpx.ConnectError):
        httpx.get(seen["url"], timeout=5)  # the target stops with the server

    again = steward("serve", "--demo", "--database-url", database_url, "--no-runner")
    assert again.exit_code == 0, again.output
    assert "already had clients" in again.stdout
    assert (_count(database_url, Client), _count(database_url, Monitor)) == (2, 11)
    token = next(line.split()[-1] for line in again.stdout.splitlines() if "admin token:" in line)
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)
    assert token.startswith("stw_")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_a_real_server_starts_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "STEWARD_DATABASE_URL": f"sqlite:///{tmp_path / 'steward.sqlite3'}",
        "STEWARD_DATA_DIR": str(tmp_path / "data"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pysteward", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        schema = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                schema = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2).json()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert schema is not None, "the server did not answer"
        assert "/api/v1/monitors" in schema["paths"]
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status says why it stopped.
    assert process.returncode in {0, -signal.SIGTERM}, err.decode()
    assert json.dumps(schema["info"]["title"]) == '"Steward"'


def test_run_server_runs_uvicorn_without_access_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append({"app": app, **options}))
    app = FastAPI()
    serve.run_server(app, Settings(host="127.0.0.1", port=8125))
    [call] = calls
    assert (call["app"], call["host"], call["port"], call["access_log"]) == (app, "127.0.0.1", 8125, False)


def test_json_shows_use_the_embedded_database_by_default(
    steward: Steward, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEWARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("STEWARD_SERVER", raising=False)
    added = steward("clients", "add", "Acme", "--json")
    assert added.exit_code == 0, added.output
    shown = steward("clients", "show", json.loads(added.stdout)["id"], "--json")
    assert json.loads(shown.stdout)["name"] == "Acme"


@pytest.mark.parametrize(("log_format", "formatter"), [("json", "JsonFormatter"), ("text", "Formatter")])
def test_serve_sends_the_servers_logs_to_stderr_in_the_configured_format(
    steward: Steward, served: list[tuple[FastAPI, Settings]], tmp_path: Path, log_format: str, formatter: str
) -> None:
    import logging

    url = f"sqlite:///{tmp_path / 'logs.sqlite3'}"
    result = steward("serve", "--database-url", url, "--no-runner", env={"STEWARD_LOG_FORMAT": log_format})
    assert result.exit_code == 0, result.output
    [handler] = [h for h in logging.getLogger("pysteward").handlers if getattr(h, "_steward", False)]
    assert type(handler.formatter).__name__ == formatter
    logging.getLogger("pysteward").removeHandler(handler)
