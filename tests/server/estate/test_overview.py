"""`GET /overview`: the estate for staff, a client viewer's own portal, on both databases."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.monitors.models import State
from pysteward.server.slas.models import Priority
from pysteward.server.tenancy.models import Client, StatusPageAccess
from pysteward.store import utcnow
from tests.server.conftest import Personas
from tests.server.console.world import add_incident, add_monitor, add_run, add_service, add_sla, sign_in


def _estate(sessions: sessionmaker[Session], personas: Personas) -> dict[str, int]:
    """Acme: a shop that is down with a P1 incident under a 99.9 % SLA, and an idle batch job;
    Globex: a portal. Times are relative to the real clock, as the page reads it."""
    now = utcnow()
    with sessions() as session:
        session.get_one(Client, personas.acme).status_page = StatusPageAccess.PUBLIC
        session.commit()
        add_sla(session, personas.acme, starts_at=now - timedelta(days=400))
        shop = add_service(session, personas.acme, "shop")
        batch = add_service(session, personas.acme, "nightly batch", environment="staging")
        portal = add_service(session, personas.globex, "patient portal")
        add_monitor(session, shop.id, "home page", spans=[(now - timedelta(days=40), None, State.UP)])
        add_monitor(
            session,
            shop.id,
            "checkout",
            spans=[
                (now - timedelta(days=40), now - timedelta(minutes=30), State.UP),
                (now - timedelta(minutes=30), None, State.DOWN),
            ],
        )
        add_monitor(session, batch.id, "heartbeat", enabled=False)
        add_monitor(session, portal.id, "login", spans=[(now - timedelta(days=3), None, State.DEGRADED)])
        add_incident(
            session, shop, "checkout down", priority=Priority.P1, opened_at=now - timedelta(minutes=30)
        )
        add_run(session, shop.id, started_at=now - timedelta(days=2), grade="D", score=48.0)
        return {"shop": shop.id, "batch": batch.id, "portal": portal.id}


def _row(html: str, service_id: int) -> str:
    found = re.search(rf'<tr>\s*<td><a href="/services/{service_id}">.*?</tr>', html, re.S)
    assert found, f"no row for service {service_id}"
    return found.group(0)


def test_staff_see_every_client_with_each_services_state_figures_incidents_and_risk(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _estate(sessions, personas)
    sign_in(client, personas, "engineer")
    response = client.get("/overview")
    assert response.status_code == 200, response.text
    html = response.text
    assert "<title>Estate overview · Steward</title>" in html
    assert html.index(">Acme</h2>") < html.index(">Globex</h2>")
    assert f'href="/status/{personas.acme}">Status page</a> <span class="muted">(public)</span>' in html
    assert f'href="/status/{personas.globex}"' not in html and "No status page" in html  # Globex has none
    shop = _row(html, ids["shop"])
    assert '<span class="state down">down</span>' in shop
    assert f'href="/incidents?service={ids["shop"]}&amp;priority=P1">1</a>' in shop
    assert 'class="grade D" href="/assessments/' in shop
    # Half an hour down out of the month so far: below 99.9 %, and 30 min of a ~43 min budget used.
    percent = re.search(r'class="below"[^>]*>(\d+\.\d{3}) %</span>', shop)
    assert percent and 99.0 < float(percent.group(1)) < 99.9
    assert "/ 99.9" in shop
    batch = _row(html, ids["batch"])
    assert '<span class="state paused">paused</span>' in batch and "staging" in batch
    assert '<span class="state degraded">degraded</span>' in _row(html, ids["portal"])
    assert "no SLA" in _row(html, ids["portal"])


def test_a_client_viewer_gets_a_portal_of_their_own_services_only(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _estate(sessions, personas)
    sign_in(client, personas, "acme_viewer")
    html = client.get("/overview").text
    assert "<h1>Acme service portal</h1>" in html
    assert f'href="/services/{ids["shop"]}"' in html
    assert f'href="/services/{ids["portal"]}"' not in html and "Globex" not in html
    assert f'href="/status/{personas.acme}"' in html  # public: the viewer may share it


def test_a_status_page_that_is_not_public_is_not_offered_to_a_viewer(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, personas, "globex_viewer")
    html = client.get("/overview").text
    assert "<h1>Globex service portal</h1>" in html
    assert "/status/" not in html and "No services yet." in html


def test_an_anonymous_visitor_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/overview", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/overview")
