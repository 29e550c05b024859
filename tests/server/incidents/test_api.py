"""`/incidents`, `/breaches` and `/escalation-policies` through HTTP, on both databases."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.estate.models import Service
from tests.server.conftest import Personas


def _service(sessions: sessionmaker[Session], client_id: int, name: str = "shop") -> int:
    with sessions() as session:
        row = Service(client_id=client_id, name=name)
        session.add(row)
        session.commit()
        return row.id


def test_an_engineer_works_an_incident_from_opening_to_reopening(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    service_id = _service(sessions, personas.acme)
    staff = personas.headers("engineer")
    created = client.post(
        "/api/v1/incidents",
        headers=staff,
        json={"service_id": service_id, "title": "checkout fails", "priority": "P1"},
    )
    assert created.status_code == 201, created.text
    incident = created.json()
    assert (incident["status"], incident["source"], incident["response"]["state"]) == (
        "triggered",
        "api",
        "none",
    )
    path = f"/api/v1/incidents/{incident['id']}"
    assert client.post(f"{path}/acknowledge", headers=staff).json()["status"] == "acknowledged"
    assert client.post(f"{path}/acknowledge", headers=staff).status_code == 409
    assigned = client.post(f"{path}/assign", headers=staff, json={"assignee_id": personas["admin"].user_id})
    assert assigned.json()["assignee_id"] == personas["admin"].user_id
    assert client.post(f"{path}/pause", headers=staff, json={"note": "waiting for the client"}).json()[
        "paused_since"
    ]
    assert client.post(f"{path}/resume", headers=staff).json()["paused_since"] is None
    assert client.post(f"{path}/comments", headers=staff, json={"message": "rolled back"}).status_code == 201
    assert client.patch(path, headers=staff, json={"priority": "P2"}).json()["priority"] == "P2"
    assert (
        client.post(f"{path}/resolve", headers=staff, json={"note": "fixed"}).json()["status"] == "resolved"
    )
    assert client.post(f"{path}/reopen", headers=staff, json={}).json()["status"] == "triggered"
    events = client.get(f"{path}/events", headers=staff).json()["items"]
    assert [e["kind"] for e in events] == [
        "opened",
        "acknowledged",
        "assigned",
        "paused",
        "resumed",
        "comment",
        "priority_changed",
        "resolved",
        "reopened",
    ]
    assert events[5]["message"] == "rolled back"


def test_lists_filter_and_a_viewer_sees_only_their_client(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    acme = _service(sessions, personas.acme)
    globex = _service(sessions, personas.globex)
    staff = personas.headers("admin")
    for service_id, priority in ((acme, "P1"), (acme, "P3"), (globex, "P1")):
        client.post(
            "/api/v1/incidents",
            headers=staff,
            json={"service_id": service_id, "title": "x", "priority": priority},
        )
    everything = client.get("/api/v1/incidents", headers=staff).json()["items"]
    assert len(everything) == 3
    p1 = client.get("/api/v1/incidents", headers=staff, params={"priority": "P1", "open": "true"}).json()[
        "items"
    ]
    assert len(p1) == 2
    viewer = client.get("/api/v1/incidents", headers=personas.headers("acme_viewer")).json()["items"]
    assert {i["client_id"] for i in viewer} == {personas.acme}
    assert len(viewer) == 2
    closed = client.get("/api/v1/incidents", headers=staff, params={"open": "false"}).json()["items"]
    assert closed == []
    by_service = client.get(
        "/api/v1/incidents", headers=staff, params={"service_id": globex, "status": "triggered"}
    )
    assert [i["service_id"] for i in by_service.json()["items"]] == [globex]
    by_client = client.get("/api/v1/incidents", headers=staff, params={"client_id": personas.globex}).json()[
        "items"
    ]
    assert len(by_client) == 1


def test_escalation_policies_are_validated_and_replaced_step_by_step(
    client: TestClient, personas: Personas
) -> None:
    staff = personas.headers("engineer")
    engineer_id = personas["engineer"].user_id
    both = client.post(
        "/api/v1/escalation-policies",
        headers=staff,
        json={"name": "on call", "steps": [{"after_minutes": 0, "user_id": engineer_id, "channel_id": 5}]},
    )
    assert both.status_code == 422
    assert "exactly one of channel_id and user_id" in both.json()["error"]["message"]
    viewer_step = client.post(
        "/api/v1/escalation-policies",
        headers=staff,
        json={"name": "on call", "steps": [{"after_minutes": 0, "user_id": personas["acme_viewer"].user_id}]},
    )
    assert (
        viewer_step.json()["error"]["message"]
        == "steps.0.user_id: must be a provider user (admin or engineer)"
    )
    missing_channel = client.post(
        "/api/v1/escalation-policies",
        headers=staff,
        json={"name": "on call", "steps": [{"after_minutes": 0, "channel_id": 999}]},
    )
    assert missing_channel.json()["error"]["message"] == "steps.0.channel_id: channel 999 not found"
    unknown_client = client.post(
        "/api/v1/escalation-policies",
        headers=staff,
        json={"name": "on call", "client_id": 999, "steps": [{"after_minutes": 0, "user_id": engineer_id}]},
    )
    assert unknown_client.json()["error"]["message"] == "client_id: client 999 not found"
    created = client.post(
        "/api/v1/escalation-policies",
        headers=staff,
        json={
            "name": "on call",
            "repeat_times": 1,
            "steps": [
                {"after_minutes": 30, "user_id": engineer_id},
                {"after_minutes": 0, "user_id": engineer_id},
            ],
        },
    )
    assert created.status_code == 201
    policy = created.json()
    assert [(s["position"], s["after_minutes"]) for s in policy["steps"]] == [(1, 0), (2, 30)]
    changed = client.patch(
        f"/api/v1/escalation-policies/{policy['id']}",
        headers=staff,
        json={"name": "night", "steps": [{"after_minutes": 5, "user_id": engineer_id}]},
    ).json()
    assert (changed["name"], [s["after_minutes"] for s in changed["steps"]]) == ("night", [5])
    # A provider-wide policy is not shown to a client viewer.
    assert (
        client.get(
            f"/api/v1/escalation-policies/{policy['id']}", headers=personas.headers("acme_viewer")
        ).status_code
        == 404
    )
    assert (
        client.get("/api/v1/escalation-policies", headers=personas.headers("acme_viewer")).json()["items"]
        == []
    )
    assert len(client.get("/api/v1/escalation-policies", headers=staff).json()["items"]) == 1


def test_breaches_are_listed_for_the_reports_within_tenancy(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    from datetime import UTC, datetime

    from pysteward.server.incidents.models import Breach, Incident, IncidentSource
    from pysteward.server.slas.models import Priority

    when = datetime(2030, 1, 1, tzinfo=UTC)
    with sessions() as session:
        for client_id in (personas.acme, personas.globex):
            incident = Incident(
                client_id=client_id,
                title="x",
                priority=Priority.P1,
                source=IncidentSource.API,
                opened_at=when,
            )
            session.add(incident)
            session.flush()
            session.add(
                Breach(
                    incident_id=incident.id,
                    client_id=client_id,
                    priority=Priority.P1,
                    target="response",
                    due_at=when,
                    breached_at=when,
                )
            )
        session.commit()
    staff = client.get("/api/v1/breaches", headers=personas.headers("admin")).json()["items"]
    assert len(staff) == 2
    narrowed = client.get(
        "/api/v1/breaches",
        headers=personas.headers("admin"),
        params={
            "client_id": personas.globex,
            "since": "2029-12-31T00:00:00Z",
            "until": "2030-01-02T00:00:00Z",
        },
    ).json()["items"]
    assert [b["client_id"] for b in narrowed] == [personas.globex]
    viewer = client.get("/api/v1/breaches", headers=personas.headers("acme_viewer")).json()["items"]
    assert [b["client_id"] for b in viewer] == [personas.acme]
