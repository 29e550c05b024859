"""`GET /services/{id}`: timeline, response times, monitors, incidents, SLA and findings, on both
databases; another client's service is not found."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.estate.service_page import combine_worst, with_gaps
from pysteward.server.incidents.service import close
from pysteward.server.monitors.models import State
from pysteward.server.slas.models import Priority
from pysteward.server.web.charts import Segment
from pysteward.store import utcnow
from tests.server.conftest import Personas
from tests.server.console.world import (
    add_incident,
    add_monitor,
    add_results,
    add_run,
    add_service,
    add_sla,
    sign_in,
)

FINDINGS: list[dict[str, Any]] = [
    {
        "key": "a",
        "kind": "licenses",
        "severity": "low",
        "title": "GPL-3.0 in a proprietary app",
        "subject": "somepkg 1.0",
        "detail": "",
        "fix": None,
    },
    {
        "key": "b",
        "kind": "vulnerabilities",
        "severity": "critical",
        "title": "PYSEC-2026-1 in django",
        "subject": "django 4.2.1",
        "detail": "",
        "fix": "upgrade to 4.2.20",
    },
    {
        "key": "c",
        "kind": "runtime",
        "severity": "high",
        "title": "Python 3.8 is past its end of life",
        "subject": "python 3.8",
        "detail": "",
        "fix": "move to 3.12",
    },
]


def _shop(sessions: sessionmaker[Session], personas: Personas) -> dict[str, int]:
    now = utcnow()
    with sessions() as session:
        sla = add_sla(session, personas.acme, starts_at=now - timedelta(days=90))
        shop = add_service(session, personas.acme, "shop")
        home = add_monitor(
            session,
            shop.id,
            "home page",
            spans=[
                (now - timedelta(days=10), now - timedelta(days=2), State.UP),
                (now - timedelta(days=2), now - timedelta(days=2) + timedelta(hours=3), State.DOWN),
                (now - timedelta(days=2) + timedelta(hours=3), None, State.UP),
            ],
        )
        add_monitor(session, shop.id, "search", spans=[(now - timedelta(days=5), None, State.DEGRADED)])
        add_results(
            session, home.id, [(now - timedelta(minutes=5 * n), 100.0 + n % 7) for n in range(1, 200)]
        )
        opened = add_incident(
            session, shop, "checkout slow", priority=Priority.P2, opened_at=now - timedelta(minutes=5)
        )
        old = add_incident(
            session, shop, "search down", priority=Priority.P3, opened_at=now - timedelta(days=2)
        )
        close(session, old, now=now - timedelta(days=1), actor_id=None, message="fixed")
        session.commit()
        run = add_run(
            session, shop.id, started_at=now - timedelta(days=1), grade="C", score=33.3, findings=FINDINGS
        )
        other = add_service(session, personas.globex, "portal")
        return {
            "shop": shop.id,
            "sla": sla.id,
            "open": opened.id,
            "old": old.id,
            "run": run.id,
            "other": other.id,
        }


def test_the_page_shows_the_timeline_response_times_monitors_incidents_sla_and_findings(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _shop(sessions, personas)
    sign_in(client, personas, "engineer")
    response = client.get(f"/services/{ids['shop']}")
    assert response.status_code == 200, response.text
    html = response.text
    assert "<h1>shop <span" in html and '<span class="state down">' not in html.split("<h1>")[1][:200]
    assert '<span class="state degraded">degraded</span>' in html  # worst of up and degraded
    uptime = re.search(r'<svg class="chart" id="uptime".*?</svg>', html, re.S)
    assert uptime and "Service (worst of all)" in uptime.group(0) and 'class="span down"' in uptime.group(0)
    assert "Uptime over the last 7 days" in uptime.group(0)
    latency = re.search(r'<svg class="chart" id="latency".*?</svg>', html, re.S)
    assert latency and "<polyline" in latency.group(0) and "home page: median" in latency.group(0)
    assert ">home page</td>" in html and ">search</td>" in html
    assert f'href="/incidents/{ids["open"]}">#{ids["open"]} checkout slow</a>' in html
    assert f'href="/incidents/{ids["old"]}">' in html
    assert re.search(
        r'<span class="timer (ok|warning)" data-due="[^"]+" data-warn="[^"]+" data-running="true"', html
    )
    assert f'href="/slas/{ids["sla"]}">Gold</a>' in html
    assert f'href="/assessments/{ids["run"]}">Full assessment</a>' in html
    assert html.index("PYSEC-2026-1") < html.index("Python 3.8 is past") < html.index("GPL-3.0")
    assert "<title>shop · Steward</title>" in html


def test_thirty_days_widen_the_timeline_and_other_spans_are_refused(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _shop(sessions, personas)
    sign_in(client, personas, "engineer")
    wide = client.get(f"/services/{ids['shop']}?days=30")
    assert "Uptime over the last 30 days" in wide.text
    assert '<a href="?days=30" aria-current="true">' in wide.text
    refused = client.get(f"/services/{ids['shop']}?days=9")
    assert refused.status_code == 422 and "days: 9 is not 7 or 30" in refused.text


def test_a_viewer_reads_their_own_service_and_another_clients_is_not_found(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    ids = _shop(sessions, personas)
    sign_in(client, personas, "acme_viewer")
    own = client.get(f"/services/{ids['shop']}")
    assert own.status_code == 200
    assert "/slas/" not in own.text and '<form method="post" action="/incidents' not in own.text
    assert "My services</a> › Acme" in own.text
    foreign = client.get(f"/services/{ids['other']}")
    assert foreign.status_code == 404 and "Service" in foreign.text and "portal" not in foreign.text
    assert client.get("/services/999999").status_code == 404


def test_a_new_service_says_what_it_does_not_have_yet(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        bare = add_service(session, personas.globex, "fresh")
    sign_in(client, personas, "admin")
    html = client.get(f"/services/{bare.id}").text
    assert "No monitors yet." in html and "No SLA covers this service." in html
    assert "Not assessed yet." in html and "No incidents." in html
    assert '<span class="state unknown">unknown</span>' in html


def test_a_timeline_row_fills_gaps_as_unknown_and_the_service_row_takes_the_worst_state() -> None:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    home = with_gaps(
        [Segment(t0 - hour, t0 + hour, "up"), Segment(t0 + 2 * hour, t0 + 9 * hour, "down")],
        t0,
        t0 + 4 * hour,
    )
    assert [(s.start - t0, s.end - t0, s.state) for s in home] == [
        (timedelta(0), hour, "up"),
        (hour, 2 * hour, "unknown"),
        (2 * hour, 4 * hour, "down"),
    ]
    assert with_gaps([], t0, t0 + hour) == [Segment(t0, t0 + hour, "unknown")]
    assert with_gaps([Segment(t0 - 2 * hour, t0 - hour, "up")], t0, t0 + hour)[0].state == "unknown"
    api = [Segment(t0, t0 + 3 * hour, "maintenance"), Segment(t0 + 3 * hour, t0 + 4 * hour, "up")]
    combined = combine_worst([home, api])
    assert [(s.start - t0, s.state) for s in combined] == [
        (timedelta(0), "maintenance"),
        (hour, "unknown"),
        (2 * hour, "down"),
    ]
    assert combine_worst([]) == []
