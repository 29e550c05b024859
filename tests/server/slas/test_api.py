"""The `/calendars` and `/slas` routes: CRUD, validation answers, availability output, viewer scoping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from pysteward.server.monitors.models import State
from pysteward.server.slas import api
from tests.server.conftest import Personas
from tests.server.slas.matrix import NOW, add_monitor, add_service

ADMIN = "admin"


def _sla(client: TestClient, personas: Personas, **fields: Any) -> dict[str, Any]:
    body = {"client_id": personas.acme, "name": "gold", "target": "99.9", **fields}
    response = client.post("/api/v1/slas", json=body, headers=personas.headers(ADMIN))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_calendar_crud_and_a_named_validation_error(client, personas):
    headers = personas.headers(ADMIN)
    bad = client.post(
        "/api/v1/calendars",
        json={"client_id": personas.acme, "name": "x", "weekly_hours": {"funday": [["09:00", "17:00"]]}},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("body.weekly_hours: unknown day 'funday'")
    zone = client.post("/api/v1/calendars", json={"name": "x", "timezone": "Mars/Base"}, headers=headers)
    assert zone.status_code == 422
    assert zone.json()["error"]["message"] == "body.timezone: unknown time zone 'Mars/Base'"
    folder = client.post("/api/v1/calendars", json={"name": "x", "timezone": "America"}, headers=headers)
    assert folder.status_code == 422  # a folder of the zone database, not a zone
    assert folder.json()["error"]["message"] == "body.timezone: unknown time zone 'America'"
    created = client.post(
        "/api/v1/calendars", json={"client_id": personas.acme, "name": "Acme"}, headers=headers
    )
    assert created.status_code == 201
    calendar_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/calendars/{calendar_id}", json={"holidays": ["2026-12-25"]}, headers=headers
    )
    assert changed.json()["holidays"] == ["2026-12-25"]
    listed = client.get("/api/v1/calendars", headers=personas.headers("acme_viewer")).json()
    assert [c["id"] for c in listed["items"]] == [calendar_id]
    assert client.delete(f"/api/v1/calendars/{calendar_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/calendars/{calendar_id}", headers=headers).status_code == 404


def test_sla_crud_with_defaults_policies_targets_and_maintenance(client, personas):
    headers = personas.headers(ADMIN)
    sla = _sla(client, personas)
    assert (sla["target"], sla["window"], sla["policy"]["version"]) == ("99.9", "month", 1)
    assert [t["priority"] for t in sla["targets"]] == ["P1", "P2", "P3", "P4"]
    assert sla["policy"]["formula"]
    base = f"/api/v1/slas/{sla['id']}"
    assert client.patch(base, json={"target": "99.95"}, headers=headers).json()["target"] == "99.95"
    v2 = client.post(f"{base}/policies", json={"unknown_as": "down", "note": "per contract"}, headers=headers)
    assert (v2.status_code, v2.json()["version"], v2.json()["unknown_as"]) == (201, 2, "down")
    versions = client.get(f"{base}/policies", headers=headers).json()["items"]
    assert [v["version"] for v in versions] == [1, 2]
    target = {
        "response_amount": 30, "response_unit": "minutes", "response_clock": "24x7",
        "resolution_amount": 2, "resolution_unit": "hours", "resolution_clock": "business",
    }  # fmt: skip
    put = client.put(f"{base}/targets/P1", json=target, headers=headers)
    assert (put.status_code, put.json()["response_amount"]) == (200, 30)
    assert client.put(f"{base}/targets/P9", json=target, headers=headers).status_code == 422
    window = {
        "title": "patch", "kind": "rrule", "starts_at": "2026-01-04T02:00:00Z",
        "expression": "FREQ=WEEKLY;BYDAY=SU", "duration_minutes": 60, "timezone": "Europe/Paris",
    }  # fmt: skip
    made = client.post(f"{base}/maintenance", json=window, headers=headers)
    assert made.status_code == 201, made.text
    bad = client.post(f"{base}/maintenance", json={**window, "expression": "FREQ=SOMETIMES"}, headers=headers)
    assert (bad.status_code, bad.json()["error"]["message"].startswith("body.expression")) == (422, True)
    shown = client.get(base, headers=headers).json()
    assert (shown["policy"]["version"], len(shown["maintenance"])) == (2, 1)
    assert client.get(f"{base}/maintenance", headers=headers).json()["items"][0]["title"] == "patch"
    window_id = made.json()["id"]
    assert client.delete(f"{base}/maintenance/{window_id}", headers=headers).status_code == 204
    assert client.delete(f"{base}/maintenance/{window_id}", headers=headers).status_code == 404
    assert client.get(f"{base}/burn-alerts?open=true", headers=headers).json() == {
        "items": [],
        "next_after": None,
    }
    listed = client.get(f"/api/v1/slas?client_id={personas.acme}", headers=headers).json()["items"]
    assert [s["id"] for s in listed] == [sla["id"]]
    assert client.delete(base, headers=headers).status_code == 204
    assert client.get(base, headers=headers).status_code == 404


def test_sla_validation_answers_name_the_field(client, personas):
    headers = personas.headers(ADMIN)
    for target in ("0", "100.5", "abc"):
        body = {"client_id": personas.acme, "name": "x", "target": target}
        response = client.post("/api/v1/slas", json=body, headers=headers)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "body.target"
    foreign = add_service_via_api(client, personas, personas.globex)
    body = {"client_id": personas.acme, "name": "x", "target": "99", "service_id": foreign}
    response = client.post("/api/v1/slas", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("body.service_id:")
    _sla(client, personas)
    again = client.post(
        "/api/v1/slas", json={"client_id": personas.acme, "name": "y", "target": "99"}, headers=headers
    )
    assert again.status_code == 409


def add_service_via_api(client: TestClient, personas: Personas, client_id: int) -> int:
    response = client.post(
        "/api/v1/services", json={"client_id": client_id, "name": "foreign"}, headers=personas.headers(ADMIN)
    )
    return int(response.json()["id"])


def test_availability_prints_the_figures_with_the_policy(client, personas, sessions, monkeypatch):
    now = NOW
    monkeypatch.setattr(api, "utcnow", lambda: now)  # a frozen clock: the outage stays inside the month
    start = now - timedelta(days=70)
    with sessions() as session:
        shop = add_service(session, personas.acme, "shop")
        add_monitor(session, shop.id, [(State.UP, start, now - timedelta(hours=2)),
                                       (State.DOWN, now - timedelta(hours=2), now - timedelta(hours=1)),
                                       (State.UP, now - timedelta(hours=1), None)])  # fmt: skip
    sla = _sla(client, personas, service_id=shop.id, starts_at=start.isoformat())
    response = client.get(
        f"/api/v1/slas/{sla['id']}/availability",
        params={"period": "current"},
        headers=personas.headers("acme_viewer"),
    )
    assert response.status_code == 200, response.text
    report = response.json()
    (figure,) = report["figures"]
    assert figure["service_name"] == "shop"
    assert isinstance(figure["percent"], str)
    assert figure["down_seconds"] == 3600
    assert figure["policy_version"] == 1
    assert "unknown" in figure["policy"].lower()
    assert figure["formula"]
    assert figure["budget"]["used_seconds"] == 3600
    assert len(figure["outages"]) == 1
    previous = client.get(
        f"/api/v1/slas/{sla['id']}/availability?period=previous", headers=personas.headers(ADMIN)
    )
    assert previous.json()["period"]["end"] == report["period"]["start"].replace("+00:00", "Z")
    bad = client.get(f"/api/v1/slas/{sla['id']}/availability?period=someday", headers=personas.headers(ADMIN))
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("query.period:")


def test_viewers_read_their_own_slas_only_and_change_nothing(client, personas):
    own = _sla(client, personas)
    theirs = _sla(client, personas, client_id=personas.globex)
    viewer = personas.headers("acme_viewer")
    listed = client.get("/api/v1/slas", headers=viewer).json()["items"]
    assert [s["id"] for s in listed] == [own["id"]]
    assert client.get(f"/api/v1/slas/{theirs['id']}", headers=viewer).status_code == 404
    assert client.get(f"/api/v1/slas/{theirs['id']}/availability", headers=viewer).status_code == 404
    assert client.patch(f"/api/v1/slas/{own['id']}", json={"name": "mine"}, headers=viewer).status_code == 403
    assert client.patch(f"/api/v1/slas/{theirs['id']}", json={"name": "x"}, headers=viewer).status_code == 404
    body = {"client_id": personas.acme, "name": "x", "target": "99"}
    assert client.post("/api/v1/slas", json=body, headers=viewer).status_code == 403
