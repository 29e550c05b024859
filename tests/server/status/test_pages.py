"""`GET /status/{client_id}` and its `.json`: who may read them, and that nothing internal shows."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.estate.models import Service
from pysteward.server.status import views
from pysteward.server.tenancy import service
from pysteward.server.tenancy.models import Client, StatusPageAccess
from tests.server.conftest import Personas
from tests.server.status.world import (
    INTERNAL_NOTE,
    MONITOR_NAME,
    NOW,
    PUBLIC_NOTE,
    RESOLVED_NOTE,
    SECRET_DESCRIPTION,
    build,
)


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "utcnow", lambda: NOW)


def _set(sessions: sessionmaker[Session], client_id: int, access: StatusPageAccess) -> str:
    """Set the client's page access and give it a link secret."""
    with sessions() as session:
        client = session.get_one(Client, client_id)
        client.status_page = access
        return service.rotate_status_token(session, client=client)


def test_a_public_page_shows_services_and_public_updates_to_anyone(
    client: TestClient, sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        world = build(session, personas)
    response = client.get(f"/status/{world.client_id}")
    assert response.status_code == 200
    html = response.text
    assert '<meta http-equiv="refresh" content="60">' in html
    assert "Partial outage" in html
    assert html.count('<rect class="bar ') == 3 * 90
    assert '<rect class="bar nodata"' in html and '<rect class="bar minor"' in html
    for shown in (
        "shop",
        "legacy",
        "Checkout is slow",
        PUBLIC_NOTE,
        RESOLVED_NOTE,
        "Payment gateway migration",
    ):
        assert shown in html
    assert "Old outage" not in html and "Globex trouble" not in html
    assert 'href="/static/status.css"' in html and "steward.js" not in html
    assert response.headers["cache-control"] == "public, max-age=30"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_neither_the_page_nor_its_json_shows_internal_data(
    client: TestClient, sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        world = build(session, personas)
    html = client.get(f"/status/{world.client_id}").text
    data = client.get(f"/status/{world.client_id}.json")
    assert data.status_code == 200
    for body in (html, data.text):
        assert PUBLIC_NOTE in body
        for secret in (
            INTERNAL_NOTE,
            personas["engineer"].email,
            SECRET_DESCRIPTION,
            MONITOR_NAME,
            "assignee",
        ):
            assert secret not in body
    page = data.json()
    assert data.headers["access-control-allow-origin"] == "*"
    assert page["percent"] == "99.920"
    assert [len(s["days"]) for s in page["services"]] == [90, 90, 90]
    assert page["services"][2]["days"][10] == {
        "day": "2029-12-26",
        "percent": "99.305",
        "level": "minor",
        "down_seconds": 600.0,
        "measured_seconds": 86400.0,
    }
    assert page["incidents"][0]["updates"] == [{"at": "2030-03-15T11:15:00Z", "message": PUBLIC_NOTE}]
    assert set(page["incidents"][0]) == {
        "title", "service", "status", "label", "opened_at", "resolved_at", "updates"
    }  # fmt: skip


def test_a_link_page_opens_only_with_its_key(
    client: TestClient, sessions: sessionmaker[Session], personas: Personas
) -> None:
    secret = _set(sessions, personas.acme, StatusPageAccess.LINK)
    page = client.get(f"/status/{personas.acme}", params={"key": secret})
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-robots-tag"] == "noindex, nofollow"
    assert f'href="/status/{personas.acme}.json?key={secret}"' in page.text
    assert client.get(f"/status/{personas.acme}.json", params={"key": secret}).json()["client"] == "Acme"


def _refusals(client: TestClient, personas: Personas, secret: str) -> list[tuple[str, dict[str, str]]]:
    unknown = 999_999
    return [
        (f"/status/{unknown}", {}),  # no such client
        (f"/status/{unknown}", {"key": secret}),
        (f"/status/{personas.acme}", {}),  # link page, no key
        (f"/status/{personas.acme}", {"key": secret[:-1] + "x"}),  # wrong key
        (f"/status/{personas.acme}", {"key": ""}),
        (f"/status/{personas.globex}", {"key": secret}),  # off (with another page's key)
    ]


def test_unknown_off_and_keyless_pages_are_the_same_404(
    client: TestClient, sessions: sessionmaker[Session], personas: Personas
) -> None:
    secret = _set(sessions, personas.acme, StatusPageAccess.LINK)
    _set(sessions, personas.globex, StatusPageAccess.OFF)
    pages = [client.get(path, params=params) for path, params in _refusals(client, personas, secret)]
    assert {page.status_code for page in pages} == {404}
    assert len({page.text for page in pages}) == 1
    assert "No such status page" in pages[0].text
    answers = [
        client.get(f"{path}.json", params=params) for path, params in _refusals(client, personas, secret)
    ]
    assert {answer.status_code for answer in answers} == {404}
    assert {answer.text for answer in answers} == {
        '{"error":{"code":"not_found","message":"no such status page","details":[]}}'
    }


def test_a_signed_in_engineer_gets_no_more_than_anyone_else(
    client: TestClient, sessions: sessionmaker[Session], personas: Personas
) -> None:
    _set(sessions, personas.acme, StatusPageAccess.LINK)
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "engineer@example.invalid", "password": personas["engineer"].password},
    )
    assert login.status_code == 200
    assert client.get(f"/status/{personas.acme}").status_code == 404
    assert client.get(f"/status/{personas.acme}", headers=personas.headers("admin")).status_code == 404


def test_a_page_is_gathered_at_most_once_per_30_seconds_but_access_is_checked_every_time(
    client: TestClient, sessions: sessionmaker[Session], personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(views, "monotonic", lambda: clock[0])
    _set(sessions, personas.acme, StatusPageAccess.PUBLIC)
    assert "No services listed yet" in client.get(f"/status/{personas.acme}").text
    with sessions() as session:
        session.add(Service(client_id=personas.acme, name="shop"))
        session.commit()
    clock[0] += views.CACHE_SECONDS - 1
    assert "No services listed yet" in client.get(f"/status/{personas.acme}.json").text
    clock[0] += 1
    assert client.get(f"/status/{personas.acme}.json").json()["services"][0]["name"] == "shop"
    _set(sessions, personas.acme, StatusPageAccess.OFF)
    assert client.get(f"/status/{personas.acme}").status_code == 404
