"""Status page and report settings through the clients API, the secret link's rotation, and public
incident updates."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.estate.models import Service
from tests.server.conftest import Personas


def test_staff_set_the_page_access_and_report_settings_and_the_hash_never_shows(
    client: TestClient, personas: Personas
) -> None:
    path = f"/api/v1/clients/{personas.acme}"
    staff = personas.headers("engineer")
    before = client.get(path, headers=staff).json()
    assert (before["status_page"], before["report_cadences"], before["report_timezone"]) == (
        "off",
        ["monthly"],
        "UTC",
    )
    changed = client.patch(
        path,
        headers=staff,
        json={
            "status_page": "public",
            "report_cadences": ["monthly", "weekly"],
            "report_timezone": "Europe/Paris",
        },
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert (after["status_page"], after["report_cadences"], after["report_timezone"]) == (
        "public", ["weekly", "monthly"], "Europe/Paris"
    )  # fmt: skip
    assert client.patch(path, headers=staff, json={"report_cadences": []}).json()["report_cadences"] == []
    assert client.patch(path, headers=staff, json={"name": "Acme Ltd"}).json()["status_page"] == "public"
    assert not any("hash" in key or "token" in key for key in after)


def test_bad_settings_are_refused_naming_the_field(client: TestClient, personas: Personas) -> None:
    path = f"/api/v1/clients/{personas.acme}"
    staff = personas.headers("admin")
    for body, field in (
        ({"report_timezone": "Mars/Olympus"}, "body.report_timezone"),
        ({"report_timezone": "America"}, "body.report_timezone"),  # a folder of the zone database
        ({"report_cadences": ["daily"]}, "body.report_cadences.0"),
        ({"status_page": "secret"}, "body.status_page"),
    ):
        refused = client.patch(path, headers=staff, json=body)
        assert refused.status_code == 422, body
        assert refused.json()["error"]["details"][0]["field"] == field
    assert client.get(path, headers=staff).json()["report_timezone"] == "UTC"
    viewer = client.patch(path, headers=personas.headers("acme_viewer"), json={"status_page": "public"})
    assert viewer.status_code == 403


def test_rotating_the_link_shows_a_new_secret_once_and_the_old_one_stops_working(
    client: TestClient, personas: Personas
) -> None:
    path = f"/api/v1/clients/{personas.acme}"
    staff = personas.headers("engineer")
    client.patch(path, headers=staff, json={"status_page": "link"})
    first = client.post(f"{path}/status-page/rotate", headers=staff)
    assert first.status_code == 200, first.text
    link = first.json()
    assert link["status_page"] == "link" and link["client_id"] == personas.acme
    assert link["url"] == f"http://127.0.0.1:8000/status/{personas.acme}?key={link['secret']}"
    assert client.get(link["url"].removeprefix("http://127.0.0.1:8000")).status_code == 200
    second = client.post(f"{path}/status-page/rotate", headers=staff).json()
    assert second["secret"] != link["secret"]
    assert client.get(f"/status/{personas.acme}", params={"key": link["secret"]}).status_code == 404
    assert client.get(f"/status/{personas.acme}", params={"key": second["secret"]}).status_code == 200
    assert link["secret"] not in client.get(path, headers=staff).text
    assert (
        client.post(f"{path}/status-page/rotate", headers=personas.headers("acme_viewer")).status_code == 403
    )


def test_only_a_comment_marked_public_becomes_a_public_update(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        service = Service(client_id=personas.acme, name="shop")
        session.add(service)
        session.commit()
        service_id = service.id
    staff = personas.headers("engineer")
    incident = client.post(
        "/api/v1/incidents", headers=staff, json={"service_id": service_id, "title": "down"}
    )
    path = f"/api/v1/incidents/{incident.json()['id']}"
    client.post(f"{path}/acknowledge", headers=staff)
    client.post(f"{path}/comments", headers=staff, json={"message": "internal"})
    client.post(f"{path}/comments", headers=staff, json={"message": "We are on it.", "public": True})
    client.post(f"{path}/resolve", headers=staff, json={"note": "fixed the cable"})
    events = client.get(f"{path}/events", headers=staff).json()["items"]
    assert [(e["kind"], e["public"]) for e in events] == [
        ("opened", False), ("acknowledged", False), ("comment", False), ("comment", True), ("resolved", False)
    ]  # fmt: skip
    refused = client.post(f"{path}/comments", headers=staff, json={"message": "x", "public": "maybe"})
    assert refused.status_code == 422
