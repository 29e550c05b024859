"""A client with a known November 2026 for the report tests (every time below is UTC; the client's
reports are cut in Europe/Paris, so November runs from 2026-10-31 23:00 to 2026-11-30 23:00 UTC).

    shop       under SLA "Gold" (99.9 %, monthly, Europe/Paris: the report's own window)
               one monitor: up from 10-20; DOWN 11-10 10:00–10:30 ("HTTP 503 Service Unavailable");
               DOWN 11-15 02:10–02:20 inside a maintenance window 02:00–03:00 (excluded);
               no data 11-20 00:00–02:00 (unknown, excluded by the default policy)
               → 99.930 %, met, 30.2 % of the error budget left
    api        under SLA "Silver" (99.5 %, weekly, UTC: measured over the report's month live)
               one monitor, up throughout → 100.000 %
    batch      (staging) under no SLA
    incidents  #a P1 on shop 11-10 10:00, acknowledged 10:05, resolved 11:00 (both targets met);
               #b P2 on api 11-12 09:00, paused 09:30–10:30, acknowledged 10:31 (response missed:
               a breach), resolved 15:00; #c P3 on shop, opened 10-05 and resolved a day later without an
               acknowledgement (the previous period's counts: one incident, one breach)
    assessed   shop: 10-25 (2 critical, EOL 3.8, 1 license issue), 11-20 (1 critical, 1 license
               issue), a failed run 11-25, and 12-03 (after the period); api: 11-05, nothing open
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.incidents import service as incidents
from pysteward.server.incidents.models import IncidentSource
from pysteward.server.monitors.models import CheckResult, Monitor, MonitorKind, State, StateInterval
from pysteward.server.slas.models import MaintenanceKind, MaintenanceWindow, Priority, WindowKind
from pysteward.server.slas.periods import Period
from pysteward.server.tenancy.models import Client
from tests.server.conftest import Personas
from tests.server.slas.matrix import add_sla, staff

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
"""The frozen clock: November 2026 has closed, everywhere."""
NOVEMBER = Period(datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 30, 23, tzinfo=UTC), "2026-11")
OCTOBER = Period(datetime(2026, 9, 30, 22, tzinfo=UTC), datetime(2026, 10, 31, 23, tzinfo=UTC), "2026-10")
STARTS = datetime(2026, 10, 1, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment of 2026 in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ReportWorld:
    """The ids the tests look for."""

    client_id: int
    shop: int
    api: int
    batch: int
    gold: int
    silver: int
    incidents: tuple[int, int, int]


def _service(session: Session, client_id: int, name: str, environment: str = "production") -> int:
    row = Service(client_id=client_id, name=name, environment=environment, created_at=STARTS)
    session.add(row)
    session.flush()
    return row.id


def _monitor(session: Session, service_id: int, spans: list[tuple[State, datetime, datetime | None]]) -> int:
    monitor = Monitor(
        service_id=service_id, name="https", kind=MonitorKind.HTTP, config={"url": "https://x.invalid/"}
    )
    session.add(monitor)
    session.flush()
    for state, start, end in spans:
        session.add(StateInterval(monitor_id=monitor.id, state=state, started_at=start, ended_at=end))
    return monitor.id


def _spans(session: Session, shop: int, api: int) -> None:
    down, down_in_window, gap = at(11, 10, 10), at(11, 15, 2, 10), at(11, 20)
    monitor = _monitor(
        session,
        shop,
        [
            (State.UP, at(10, 20), down),
            (State.DOWN, down, down + timedelta(minutes=30)),
            (State.UP, down + timedelta(minutes=30), down_in_window),
            (State.DOWN, down_in_window, down_in_window + timedelta(minutes=10)),
            (State.UP, down_in_window + timedelta(minutes=10), gap),
            (State.UP, gap + timedelta(hours=2), None),
        ],
    )
    session.add(
        CheckResult(
            monitor_id=monitor, checked_at=down, state=State.DOWN, message="HTTP 503 Service Unavailable"
        )
    )
    _monitor(session, api, [(State.UP, at(10, 20), None)])


def _assessments(session: Session, shop: int, api: int) -> None:
    def run(service_id: int, started: datetime, status: AssessmentStatus, **summary: Any) -> None:
        session.add(
            AssessmentRun(
                service_id=service_id,
                repository_path="/srv/code",
                status=status,
                started_at=started,
                finished_at=started + timedelta(minutes=2),
                risk_grade="C" if summary.get("critical_vulnerabilities") else "A",
                summary=summary,
            )
        )

    ok = AssessmentStatus.SUCCEEDED
    eol = [{"version": "3.8", "eol": "2024-10-07"}]
    run(
        shop,
        at(10, 25),
        ok,
        critical_vulnerabilities=2,
        vulnerabilities=4,
        license_issues=1,
        eol_runtimes=eol,
    )
    run(
        shop, at(11, 20), ok, critical_vulnerabilities=1, vulnerabilities=2, license_issues=1, eol_runtimes=[]
    )
    run(shop, at(11, 25), AssessmentStatus.FAILED, critical_vulnerabilities=9)
    run(shop, at(12, 3), ok, critical_vulnerabilities=5, vulnerabilities=5, license_issues=0, eol_runtimes=[])
    run(api, at(11, 5), ok, critical_vulnerabilities=0, vulnerabilities=0, license_issues=0, eol_runtimes=[])


def _incident(
    session: Session, client_id: int, service_id: int, *, priority: Priority, title: str, opened: datetime
) -> int:
    incident = incidents.open_incident(
        session, client_id=client_id, service_id=service_id, priority=priority, title=title,
        source=IncidentSource.MANUAL, now=opened,
    )  # fmt: skip
    session.commit()
    return incident.id


def _incidents(
    session: Session, world: Personas, client_id: int, shop: int, api: int
) -> tuple[int, int, int]:
    engineer = staff(world, "engineer")
    a = _incident(
        session, client_id, shop, priority=Priority.P1, title="Shop answers 503", opened=at(11, 10, 10)
    )
    incidents.acknowledge(session, principal=engineer, incident_id=a, now=at(11, 10, 10, 5))
    incidents.resolve(session, principal=engineer, incident_id=a, note="restarted", now=at(11, 10, 11))
    b = _incident(
        session, client_id, api, priority=Priority.P2, title="API slow for one customer", opened=at(11, 12, 9)
    )
    incidents.pause(
        session, principal=engineer, incident_id=b, reason="waiting for logs", now=at(11, 12, 9, 30)
    )
    incidents.resume(session, principal=engineer, incident_id=b, now=at(11, 12, 10, 30))
    incidents.acknowledge(session, principal=engineer, incident_id=b, now=at(11, 12, 10, 31))
    incidents.resolve(session, principal=engineer, incident_id=b, note="index added", now=at(11, 12, 15))
    c = _incident(session, client_id, shop, priority=Priority.P3, title="Old trouble", opened=at(10, 5, 9))
    incidents.resolve(session, principal=engineer, incident_id=c, note="", now=at(10, 6, 9))
    return a, b, c


def make_report_world(session: Session, world: Personas, *, client_id: int | None = None) -> ReportWorld:
    """Build the world for `client_id` (default: Acme), cut in Europe/Paris; committed."""
    client = session.get_one(Client, client_id or world.acme)
    client.report_timezone = "Europe/Paris"
    client.created_at = STARTS
    shop, api = _service(session, client.id, "shop"), _service(session, client.id, "api")
    batch = _service(session, client.id, "batch", "staging")
    _spans(session, shop, api)
    _assessments(session, shop, api)
    gold = add_sla(
        session, world, client_id=client.id, service_id=shop, target="99.9", starts_at=STARTS, now=STARTS,
        timezone="Europe/Paris",
    ).id  # fmt: skip
    window = MaintenanceWindow(
        sla_id=gold,
        title="Database upgrade",
        kind=MaintenanceKind.ONCE,
        starts_at=at(11, 15, 2),
        ends_at=at(11, 15, 3),
    )
    session.add(window)
    silver = add_sla(
        session, world, client_id=client.id, service_id=api, target="99.5", window=WindowKind.WEEK,
        starts_at=STARTS, now=STARTS,
    ).id  # fmt: skip
    session.commit()
    ids = _incidents(session, world, client.id, shop, api)
    return ReportWorld(client.id, shop, api, batch, gold, silver, ids)


def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace WeasyPrint by a fast stand-in: `%PDF-fake` and the HTML's digest, so each version's
    bytes still differ with its content."""

    def render(html: str) -> bytes:
        return b"%PDF-fake " + hashlib.sha256(html.encode()).hexdigest().encode()

    monkeypatch.setattr("pysteward.server.reports.service.render_pdf", render)
