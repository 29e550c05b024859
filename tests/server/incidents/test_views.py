"""The incidents queue, an incident's page and the actions on it, through HTTP on both databases."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.incidents.models import Incident, IncidentEvent, IncidentStatus, TimerState
from pysteward.server.incidents.service import acknowledge, close
from pysteward.server.principal import Principal
from pysteward.server.slas.models import Priority
from pysteward.server.tenancy.models import Role
from pysteward.store import utcnow
from tests.server.conftest import Personas
from tests.server.console.world import add_incident, add_service, add_sla, sign_in, status_of


def _queue(sessions: sessionmaker[Session], personas: Personas) -> dict[str, int]:
    """Acme's shop under an SLA (P1: respond in 15 min, P2: in 1 h, around the clock) with one
    incident in each situation, and one Globex incident."""
    now = utcnow()
    engineer = Principal(
        user_id=personas["engineer"].user_id, role=Role.ENGINEER, client_id=None, via="session"
    )
    with sessions() as session:
        add_sla(session, personas.acme, starts_at=now - timedelta(days=30))
        shop = add_service(session, personas.acme, "shop")
        warning = add_incident(
            session, shop, "slow pages", priority=Priority.P2, opened_at=now - timedelta(minutes=50)
        )
        fresh = add_incident(
            session, shop, "login fails", priority=Priority.P1, opened_at=now - timedelta(minutes=1)
        )
        late = add_incident(
            session, shop, "emails lost", priority=Priority.P2, opened_at=now - timedelta(hours=2)
        )
        late.response_state = TimerState.BREACHED
        taken = add_incident(
            session, shop, "disk full", priority=Priority.P1, opened_at=now - timedelta(minutes=30)
        )
        acknowledge(session, principal=engineer, incident_id=taken.id, now=now - timedelta(minutes=25))
        done = add_incident(
            session, shop, "old outage", priority=Priority.P2, opened_at=now - timedelta(days=3)
        )
        close(session, done, now=now - timedelta(days=2), actor_id=None, message="fixed")
        session.commit()
        portal = add_service(session, personas.globex, "portal")
        foreign = add_incident(session, portal, "globex trouble", opened_at=now - timedelta(minutes=3))
        return {
            "warning": warning.id,
            "fresh": fresh.id,
            "late": late.id,
            "taken": taken.id,
            "done": done.id,
            "foreign": foreign.id,
            "shop": shop.id,
        }


def _ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="incident-(\d+)">', html)]


def _timer(html: str, incident_id: int, which: str) -> str:
    row = re.search(rf'<tr id="incident-{incident_id}">.*?</tr>', html, re.S)
    assert row, f"incident {incident_id} is not listed"
    cell = re.search(rf'<td class="{which}">(.*?)</td>', row.group(0), re.S)
    assert cell
    return cell.group(1)


def test_the_queue_lists_open_incidents_most_urgent_first_with_their_timers(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _queue(sessions, personas)
    sign_in(client, personas, "engineer")
    html = client.get("/incidents").text
    # Breached first, then by the running clock's due time; the foreign one has no SLA, so last.
    assert _ids(html) == [ids["late"], ids["warning"], ids["fresh"], ids["taken"], ids["foreign"]]
    assert 'class="timer breached"' in _timer(html, ids["late"], "response")
    assert 'class="timer warning"' in _timer(html, ids["warning"], "response")
    assert re.search(
        r'class="timer ok" data-due="[^"]+" data-warn="[^"]+" data-running="true"',
        _timer(html, ids["fresh"], "response"),
    )
    met = _timer(html, ids["taken"], "response")
    assert 'class="timer met"' in met and 'data-running="false"' in met and ">met<" in met
    assert "no target" in _timer(html, ids["foreign"], "response")
    assert f'action="/incidents/{ids["fresh"]}/acknowledge"' in html
    assert f'action="/incidents/{ids["taken"]}/acknowledge"' not in html
    assert "5 incidents, most urgent first." in html


def test_the_queue_filters_by_state_priority_client_service_assignee_and_breach(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _queue(sessions, personas)
    sign_in(client, personas, "engineer")
    assert _ids(client.get("/incidents?state=resolved").text) == [ids["done"]]
    assert _ids(client.get("/incidents?state=acknowledged").text) == [ids["taken"]]
    assert _ids(client.get("/incidents?priority=P1").text) == [ids["fresh"], ids["taken"]]
    assert ids["foreign"] not in _ids(client.get(f"/incidents?client={personas.acme}").text)
    assert ids["done"] in _ids(client.get(f"/incidents?service={ids['shop']}&state=all").text)
    assert _ids(client.get("/incidents?assignee=me").text) == [ids["taken"]]
    assert ids["taken"] not in _ids(client.get("/incidents?assignee=none").text)
    assert _ids(client.get("/incidents?breached=yes").text) == [ids["late"]]
    assert ids["late"] not in _ids(client.get("/incidents?breached=no").text)
    page = client.get(f"/incidents?priority=P1&assignee={personas['engineer'].user_id}")
    assert _ids(page.text) == [ids["taken"]] and '<option value="P1" selected>' in page.text
    for wrong in ("priority=P9", "state=maybe", "breached=perhaps", "client=abc", "assignee=0"):
        assert client.get(f"/incidents?{wrong}").status_code == 422, wrong


def test_an_engineer_works_an_incident_from_its_page(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _queue(sessions, personas)
    csrf = sign_in(client, personas, "engineer")
    path = f"/incidents/{ids['fresh']}"

    def act(action: str, **fields: str) -> None:
        response = client.post(
            f"{path}/{action}", data={"csrf_token": csrf, "next": path, **fields}, follow_redirects=False
        )
        assert (response.status_code, response.headers["location"]) == (303, path), response.text

    act("acknowledge")
    act("assign", assignee_id=str(personas["admin"].user_id))
    act("pause", reason="waiting for the client's DNS change")
    act("resume")
    act("comment", message="rolled back the release", public="yes")
    act("resolve", note="fixed by the rollback")
    act("reopen", note="it is back")
    act("assign", assignee_id="me")
    html = client.get(path).text
    assert f"<h1>#{ids['fresh']} login fails</h1>" in html
    kinds = re.findall(r'<span class="kind">([^<]+)</span>', html)
    assert kinds == [
        "opened",
        "acknowledged",
        "assigned",
        "paused",
        "resumed",
        "comment",
        "resolved",
        "reopened",
        "assigned",
    ]
    assert "waiting for the client&#39;s DNS change" in html and "by engineer@example.invalid" in html
    assert "(on the status page)" in html
    assert '<span class="status triggered">triggered</span>' in html
    with sessions() as session:
        incident = session.get_one(Incident, ids["fresh"])
        assert incident.assignee_id == personas["engineer"].user_id
        public = session.scalars(select(IncidentEvent.message).where(IncidentEvent.public)).all()
        assert public == ["rolled back the release"]


def test_the_queue_acknowledges_and_comes_back_to_the_same_filters(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _queue(sessions, personas)
    csrf = sign_in(client, personas, "admin")
    back = "/incidents?priority=P1"
    response = client.post(
        f"/incidents/{ids['fresh']}/acknowledge",
        data={"csrf_token": csrf, "next": back},
        follow_redirects=False,
    )
    assert response.headers["location"] == back
    assert status_of(sessions, ids["fresh"]) is IncidentStatus.ACKNOWLEDGED
    elsewhere = client.post(
        f"/incidents/{ids['warning']}/acknowledge",
        data={"csrf_token": csrf, "next": "https://evil.invalid/"},
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == f"/incidents/{ids['warning']}"


def test_forms_are_refused_without_the_csrf_token_an_empty_comment_or_a_second_acknowledgement(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _queue(sessions, personas)
    csrf = sign_in(client, personas, "engineer")
    path = f"/incidents/{ids['taken']}"
    assert client.post(f"{path}/comment", data={"message": "hi"}).status_code == 403
    assert client.post(f"{path}/comment", data={"csrf_token": csrf, "message": "  "}).status_code == 422
    assert client.post(f"{path}/comment", data={"csrf_token": csrf, "message": "a\x00b"}).status_code == 422
    assert client.post(f"{path}/pause", data={"csrf_token": csrf, "reason": "x" * 10_001}).status_code == 422
    again = client.post(f"{path}/acknowledge", data={"csrf_token": csrf})
    assert again.status_code == 409 and "cannot acknowledge it" in again.text
    assert client.post(f"{path}/assign", data={"csrf_token": csrf, "assignee_id": "x"}).status_code == 422


def test_a_client_viewer_reads_their_own_incidents_without_actions(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _queue(sessions, personas)
    csrf = sign_in(client, personas, "acme_viewer")
    html = client.get("/incidents").text
    assert ids["foreign"] not in _ids(html) and ids["fresh"] in _ids(html)
    assert "/acknowledge" not in html and 'name="client"' not in html and 'name="assignee"' not in html
    own = client.get(f"/incidents/{ids['fresh']}")
    assert own.status_code == 200 and '<form method="post" action="/incidents' not in own.text
    assert client.get(f"/incidents/{ids['foreign']}").status_code == 404
    refused = client.post(f"/incidents/{ids['fresh']}/acknowledge", data={"csrf_token": csrf})
    assert refused.status_code == 403
    hidden = client.post(f"/incidents/{ids['foreign']}/comment", data={"csrf_token": csrf, "message": "x"})
    assert hidden.status_code == 404
    assert status_of(sessions, ids["fresh"]) is IncidentStatus.TRIGGERED
