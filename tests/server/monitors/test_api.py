"""`/monitors`: create, read, change, delete, heartbeat tokens, filters, paging, and who sees what."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.monitors.models import Monitor, State
from pysteward.server.settings import Settings
from tests.server.conftest import Personas
from tests.server.estate.world import API, add_monitor, add_service, http_monitor


@pytest.fixture
def shop(client: TestClient, personas: Personas) -> int:
    return int(add_service(client, personas, personas.acme, "shop", tags=["web"])["id"])


@pytest.fixture
def etl(client: TestClient, personas: Personas) -> int:
    return int(add_service(client, personas, personas.globex, "etl", tags=["batch"])["id"])


def test_a_new_http_monitor_is_due_at_once_and_unknown_with_defaults_filled(
    client: TestClient, personas: Personas, shop: int
) -> None:
    before = datetime.now(UTC)
    created = add_monitor(client, personas, http_monitor(shop))
    assert created["kind"] == "http"
    assert created["client_id"] == personas.acme
    assert created["state"] == "unknown"
    assert created["push_url"] is None
    assert (created["interval_seconds"], created["timeout_seconds"]) == (60, 10.0)
    assert (created["failures_before_down"], created["successes_before_up"]) == (1, 1)
    assert created["enabled"] is True
    assert created["maintenance"] is False
    assert created["config"] == {
        "url": "https://example.invalid/",
        "method": "GET",
        "headers": {},
        "body": None,
        "expected_status": ["2xx", "3xx"],
        "body_contains": None,
        "body_regex": None,
        "json_path": None,
        "json_equals": None,
        "max_latency_ms": None,
        "follow_redirects": True,
        "tls_expiry_days": None,
        "ca_pem": None,
    }
    due = datetime.fromisoformat(created["next_run_at"])
    assert before <= due <= datetime.now(UTC)
    assert created["state_since"] == created["next_run_at"] == created["created_at"]
    shown = client.get(f"{API}/monitors/{created['id']}", headers=personas.headers("acme_viewer")).json()
    assert shown == {key: value for key, value in created.items() if key != "push_url"}


def test_a_disabled_monitor_is_not_scheduled(client: TestClient, personas: Personas, shop: int) -> None:
    created = add_monitor(client, personas, http_monitor(shop, enabled=False))
    assert created["next_run_at"] is None


def test_a_tcp_monitor_keeps_its_host_and_port(client: TestClient, personas: Personas, shop: int) -> None:
    body = {"kind": "tcp", "service_id": shop, "name": "db", "config": {"host": "db.invalid", "port": 5432}}
    created = add_monitor(client, personas, body | {"interval_seconds": 30, "timeout_seconds": 30})
    assert created["config"] == {"host": "db.invalid", "port": 5432}
    assert created["interval_seconds"] == 30


def test_a_heartbeat_shows_its_push_url_once_and_stores_only_a_hash(
    client: TestClient, personas: Personas, settings: Settings, sessions: sessionmaker[Session], shop: int
) -> None:
    body = {"kind": "heartbeat", "service_id": shop, "name": "nightly", "config": {"cron": "0 3 * * *"}}
    created = add_monitor(client, personas, body)
    assert created["config"] == {
        "period_seconds": None,
        "cron": "0 3 * * *",
        "timezone": "UTC",
        "grace_seconds": 300,
    }
    prefix = f"{settings.base_url}/ping/"
    assert created["push_url"].startswith(prefix)
    token = created["push_url"].removeprefix(prefix)
    assert len(token) >= 32
    with sessions() as session:
        stored = session.get(Monitor, created["id"])
        assert stored is not None
        assert stored.heartbeat_token_hash == hashlib.sha256(token.encode()).hexdigest()
    shown = client.get(f"{API}/monitors/{created['id']}", headers=personas.headers("admin"))
    assert "push_url" not in shown.json()
    assert token not in shown.text
    listed = client.get(f"{API}/monitors", headers=personas.headers("admin"))
    assert token not in listed.text


def test_rotating_a_heartbeat_token_replaces_the_push_url(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session], shop: int
) -> None:
    body = {"kind": "heartbeat", "service_id": shop, "name": "job", "config": {"period_seconds": 3600}}
    created = add_monitor(client, personas, body)
    rotated = client.post(
        f"{API}/monitors/{created['id']}/rotate-token", headers=personas.headers("engineer")
    )
    assert rotated.status_code == 200, rotated.text
    new_token = rotated.json()["push_url"].rsplit("/", 1)[1]
    assert rotated.json()["push_url"] != created["push_url"]
    with sessions() as session:
        stored = session.get(Monitor, created["id"])
        assert stored is not None
        assert stored.heartbeat_token_hash == hashlib.sha256(new_token.encode()).hexdigest()


def test_only_heartbeats_have_a_token_to_rotate(client: TestClient, personas: Personas, shop: int) -> None:
    created = add_monitor(client, personas, http_monitor(shop))
    response = client.post(f"{API}/monitors/{created['id']}/rotate-token", headers=personas.headers("admin"))
    assert response.status_code == 409
    assert "only heartbeats have a token" in response.json()["error"]["message"]


def test_a_monitor_on_a_missing_service_answers_404(client: TestClient, personas: Personas) -> None:
    response = client.post(f"{API}/monitors", json=http_monitor(9999), headers=personas.headers("admin"))
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "service 9999 not found"


def test_monitors_are_filtered(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session], shop: int, etl: int
) -> None:
    home = add_monitor(client, personas, http_monitor(shop, "Home page"))
    api = add_monitor(client, personas, http_monitor(shop, "API 100%_done"))
    job = add_monitor(
        client,
        personas,
        {"kind": "heartbeat", "service_id": etl, "name": "nightly", "config": {"period_seconds": 60}},
    )
    with sessions() as session:
        stored = session.get(Monitor, api["id"])
        assert stored is not None
        stored.state = State.DOWN
        session.commit()

    def ids(**params: object) -> list[int]:
        response = client.get(f"{API}/monitors", params=params, headers=personas.headers("admin"))
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [home["id"], api["id"], job["id"]]
    assert ids(service_id=etl) == [job["id"]]
    assert ids(client_id=personas.acme) == [home["id"], api["id"]]
    assert ids(kind="heartbeat") == [job["id"]]
    assert ids(state="down") == [api["id"]]
    assert ids(state="unknown") == [home["id"], job["id"]]
    assert ids(tag="web") == [home["id"], api["id"]]
    assert ids(tag="batch", kind="http") == []
    assert ids(q="PAGE") == [home["id"]]
    assert ids(q="100%_") == [api["id"]]
    assert ids(q="0%x") == []
    bad = client.get(f"{API}/monitors", params={"kind": "ftp"}, headers=personas.headers("admin"))
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("query.kind: input should be")


def test_monitors_are_paged_by_id(client: TestClient, personas: Personas, shop: int) -> None:
    made = [add_monitor(client, personas, http_monitor(shop, f"m{i}"))["id"] for i in range(5)]
    first = client.get(f"{API}/monitors", params={"limit": 3}, headers=personas.headers("admin")).json()
    assert [item["id"] for item in first["items"]] == made[:3]
    assert first["next_after"] == made[2]
    second = client.get(
        f"{API}/monitors",
        params={"limit": 3, "after": first["next_after"]},
        headers=personas.headers("admin"),
    ).json()
    assert [item["id"] for item in second["items"]] == made[3:]
    assert second["next_after"] is None


def test_listing_monitors_costs_the_same_queries_for_3_or_30_monitors(
    client: TestClient, personas: Personas, app: FastAPI, shop: int, etl: int
) -> None:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    def queries_for_one_page() -> int:
        statements.clear()
        event.listen(app.state.engine, "before_cursor_execute", count)
        try:
            response = client.get(
                f"{API}/monitors", params={"limit": 100}, headers=personas.headers("acme_viewer")
            )
        finally:
            event.remove(app.state.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len([s for s in statements if "monitors" in s])

    for i in range(3):
        add_monitor(client, personas, http_monitor(shop, f"a{i}"))
    few = queries_for_one_page()
    for i in range(27):
        add_monitor(client, personas, http_monitor(shop if i % 2 else etl, f"b{i}"))
    assert queries_for_one_page() == few == 1


def test_a_viewer_sees_only_their_clients_monitors(
    client: TestClient, personas: Personas, shop: int, etl: int
) -> None:
    mine = add_monitor(client, personas, http_monitor(shop))
    theirs = add_monitor(client, personas, http_monitor(etl))
    viewer = personas.headers("acme_viewer")
    assert [m["id"] for m in client.get(f"{API}/monitors", headers=viewer).json()["items"]] == [mine["id"]]
    listed = client.get(f"{API}/monitors", params={"client_id": personas.globex}, headers=viewer)
    assert listed.json()["items"] == []
    for path in ("", "/results", "/intervals", "/rollups"):
        response = client.get(f"{API}/monitors/{theirs['id']}{path}", headers=viewer)
        assert response.status_code == 404, path
        assert response.json()["error"]["message"] == f"monitor {theirs['id']} not found"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "", "new"),
        ("PATCH", "/{id}", {"name": "x"}),
        ("DELETE", "/{id}", None),
        ("POST", "/{id}/rotate-token", None),
    ],
)
def test_a_viewer_cannot_change_monitors(
    *, client: TestClient, personas: Personas, shop: int, method: str, path: str, body: object
) -> None:
    mine = add_monitor(client, personas, http_monitor(shop))
    json = http_monitor(shop) if body == "new" else body
    url = f"{API}/monitors" + path.format(id=mine["id"])
    response = client.request(method, url, json=json, headers=personas.headers("acme_viewer"))
    assert response.status_code == 403
    assert (
        client.get(f"{API}/monitors/{mine['id']}", headers=personas.headers("admin")).json()["name"]
        == "home page"
    )


def test_a_writer_cannot_add_a_monitor_to_an_unknown_service_by_moving_it(
    client: TestClient, personas: Personas, shop: int
) -> None:
    mine = add_monitor(client, personas, http_monitor(shop))
    response = client.patch(
        f"{API}/monitors/{mine['id']}", json={"service_id": 9999}, headers=personas.headers("admin")
    )
    assert response.status_code == 404


def test_a_monitor_moves_to_another_clients_service(
    client: TestClient, personas: Personas, shop: int, etl: int
) -> None:
    mine = add_monitor(client, personas, http_monitor(shop))
    response = client.patch(
        f"{API}/monitors/{mine['id']}", json={"service_id": etl}, headers=personas.headers("admin")
    )
    assert response.status_code == 200
    assert (response.json()["service_id"], response.json()["client_id"]) == (etl, personas.globex)
    assert (
        client.get(f"{API}/monitors/{mine['id']}", headers=personas.headers("acme_viewer")).status_code == 404
    )


def _push_schedule_out(sessions: sessionmaker[Session], monitor_id: int) -> datetime:
    later = datetime.now(UTC) + timedelta(days=1)
    with sessions() as session:
        stored = session.get(Monitor, monitor_id)
        assert stored is not None
        stored.next_run_at = later
        session.commit()
    return later


def test_changing_the_interval_makes_the_monitor_due_now(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session], shop: int
) -> None:
    mine = add_monitor(client, personas, http_monitor(shop))
    later = _push_schedule_out(sessions, mine["id"])
    response = client.patch(
        f"{API}/monitors/{mine['id']}", json={"interval_seconds": 30}, headers=personas.headers("admin")
    )
    assert response.status_code == 200, response.text
    assert response.json()["interval_seconds"] == 30
    assert datetime.fromisoformat(response.json()["next_run_at"]) < later


def test_a_maintenance_or_name_change_keeps_the_schedule(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session], shop: int
) -> None:
    mine = add_monitor(client, personas, http_monitor(shop))
    later = _push_schedule_out(sessions, mine["id"])
    body = {"maintenance": True, "name": "renamed", "failures_before_down": 3}
    response = client.patch(f"{API}/monitors/{mine['id']}", json=body, headers=personas.headers("admin"))
    assert response.json()["maintenance"] is True
    assert response.json()["name"] == "renamed"
    assert response.json()["failures_before_down"] == 3
    assert response.json()["state"] == "unknown"
    assert datetime.fromisoformat(response.json()["next_run_at"]) == later


def test_disabling_unschedules_and_enabling_makes_due_now(
    client: TestClient, personas: Personas, shop: int
) -> None:
    mine = add_monitor(client, personas, http_monitor(shop))
    admin = personas.headers("admin")
    disabled = client.patch(f"{API}/monitors/{mine['id']}", json={"enabled": False}, headers=admin).json()
    assert disabled["next_run_at"] is None
    still = client.patch(f"{API}/monitors/{mine['id']}", json={"interval_seconds": 20}, headers=admin).json()
    assert still["next_run_at"] is None
    enabled = client.patch(f"{API}/monitors/{mine['id']}", json={"enabled": True}, headers=admin).json()
    assert enabled["next_run_at"] is not None


def test_a_new_config_replaces_the_old_one_and_is_validated(
    client: TestClient, personas: Personas, shop: int
) -> None:
    mine = add_monitor(client, personas, http_monitor(shop))
    admin = personas.headers("admin")
    url = f"{API}/monitors/{mine['id']}"
    changed = client.patch(
        url, json={"config": {"url": "http://other.invalid/", "method": "HEAD"}}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["config"]["method"] == "HEAD"
    assert changed.json()["config"]["expected_status"] == ["2xx", "3xx"]
    bad = client.patch(url, json={"config": {"url": "gopher://x.invalid/"}}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["error"]["message"] == "body.config.url: must be an http:// or https:// URL"
    tcp = client.patch(url, json={"config": {"host": "db.invalid", "port": 5432}}, headers=admin)
    assert tcp.json()["error"]["message"] == "body.config.url: field required"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"timeout_seconds": 90},
            "body.timeout_seconds: timeout_seconds (90) must not exceed interval_seconds (60)",
        ),
        (
            {"interval_seconds": 10},
            "body.interval_seconds: timeout_seconds (10.5) must not exceed interval_seconds (10)",
        ),
        ({"kind": "tcp"}, "body.kind: extra inputs are not permitted"),
        ({"interval_seconds": 5}, "body.interval_seconds: input should be greater than or equal to 10"),
    ],
)
def test_an_invalid_change_answers_422(
    client: TestClient, personas: Personas, shop: int, body: dict[str, object], message: str
) -> None:
    mine = add_monitor(client, personas, http_monitor(shop, timeout_seconds=10.5))
    response = client.patch(f"{API}/monitors/{mine['id']}", json=body, headers=personas.headers("admin"))
    assert response.status_code == 422
    assert response.json()["error"]["message"] == message


@pytest.mark.parametrize("field", ["interval_seconds", "timeout_seconds"])
def test_a_heartbeat_has_no_interval_or_timeout(
    client: TestClient, personas: Personas, shop: int, field: str
) -> None:
    body = {"kind": "heartbeat", "service_id": shop, "name": "job", "config": {"period_seconds": 60}}
    created = client.post(f"{API}/monitors", json=body | {field: 30}, headers=personas.headers("admin"))
    assert created.json()["error"]["message"] == f"body.{field}: extra inputs are not permitted"
    mine = add_monitor(client, personas, body)
    response = client.patch(
        f"{API}/monitors/{mine['id']}", json={field: 30}, headers=personas.headers("admin")
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == f"body.{field}: does not apply to heartbeat monitors"


def test_a_heartbeat_schedule_can_change_to_a_cron(client: TestClient, personas: Personas, shop: int) -> None:
    body = {"kind": "heartbeat", "service_id": shop, "name": "job", "config": {"period_seconds": 60}}
    mine = add_monitor(client, personas, body)
    config = {"cron": "*/5 * * * *", "timezone": "Europe/Berlin", "grace_seconds": 0}
    response = client.patch(
        f"{API}/monitors/{mine['id']}", json={"config": config}, headers=personas.headers("admin")
    )
    assert response.json()["config"] == config | {"period_seconds": None}


def test_deleting_a_monitor(client: TestClient, personas: Personas, shop: int) -> None:
    mine = add_monitor(client, personas, http_monitor(shop))
    admin = personas.headers("admin")
    assert client.delete(f"{API}/monitors/{mine['id']}", headers=admin).status_code == 204
    assert client.get(f"{API}/monitors/{mine['id']}", headers=admin).status_code == 404
    assert client.get(f"{API}/monitors", headers=admin).json()["items"] == []
