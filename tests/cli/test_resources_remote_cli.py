"""The resource commands against a running server (`--server`, `--token`), and its failures."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import uvicorn

from pysteward.cli._api import Api, ApiUnavailable
from pysteward.server.app import create_app
from pysteward.server.settings import load_settings
from pysteward.server.tenancy.models import Role
from pysteward.server.tenancy.service import create_user, issue_token
from tests.cli.conftest import Steward
from tests.httpserver import serve


@pytest.fixture
def server(database_url: str) -> Iterator[tuple[str, str]]:
    """A real server on 127.0.0.1 (no runner) and an admin token for it."""
    app = create_app(load_settings(database_url=database_url, runner=False))
    with app.state.sessions() as session:
        user = create_user(
            session, email="admin@example.invalid", password="x" * 16, role=Role.ADMIN, client_id=None
        )
        _token, secret = issue_token(session, user=user, name="test", expires_at=None, now=datetime.now(UTC))
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.01)
    port = running.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", secret
    running.should_exit = True
    thread.join(timeout=10)


def test_commands_work_the_same_through_a_server(steward: Steward, server: tuple[str, str]) -> None:
    url, token = server
    remote = ("--server", url, "--token", token)
    added = steward("clients", "add", "Acme", "--json", *remote)
    assert added.exit_code == 0, added.output
    client = json.loads(added.stdout)["id"]
    listed = steward("clients", "list", "--json", env={"STEWARD_SERVER": url, "STEWARD_TOKEN": token})
    assert [c["name"] for c in json.loads(listed.stdout)["items"]] == ["Acme"]
    assert steward("clients", "remove", client, *remote).stdout == f"removed client {client}\n"


def test_a_wrong_token_is_refused_with_the_apis_message(steward: Steward, server: tuple[str, str]) -> None:
    url, _token = server
    result = steward("clients", "list", "--server", url, "--token", "stw_wrong")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {url}: 401 ")


def test_an_unreachable_server_is_exit_3_with_a_hint(steward: Steward) -> None:
    result = steward("monitors", "list", "--server", "http://127.0.0.1:9", "--token", "stw_x")
    assert result.exit_code == 3
    assert "cannot reach the server" in result.stderr
    assert "steward serve" in result.stderr


def test_a_server_error_is_exit_3_and_a_non_json_refusal_uses_the_status_text(steward: Steward) -> None:
    with serve() as broken:
        broken.status_overrides["/api/v1/clients?limit=500"] = 500
        failed = steward("clients", "list", "--limit", "500", "--server", broken.base_url, "--token", "stw_x")
        assert failed.exit_code == 3
        assert "500" in failed.stderr
        missing = steward("clients", "show", 4, "--server", broken.base_url, "--token", "stw_x")
        assert missing.exit_code == 2
        assert "404" in missing.stderr


def test_a_slow_server_times_out() -> None:
    with serve({"/api/v1/clients": b"{}"}) as slow:
        slow.delay = 1.0
        api = Api(server=slow.base_url, token="stw_x", timeout=0.1)
        with pytest.raises(ApiUnavailable, match=r"no answer within 0\.1 s"):
            api.get("/clients")
