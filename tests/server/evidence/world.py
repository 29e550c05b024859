"""The evidence tests' world: one month (2026-11, UTC) of Acme's operations, with something outside it
and something of Globex's to be left out, and helpers to open a pack.

Acme's service `shop` has an HTTP monitor that went down for 30 minutes on 10 November (one P2 incident,
answered and resolved in time, with a public update) and a P1 incident on 20 November that missed its
response target (one breach) and waited 2 hours for the client (one pause). Notifications went to an Acme
channel and a provider channel (each sent after one transient failure), and one to an engineer's
e-mail failed. Assessments: a run in October
reported Django and PyYAML vulnerabilities; a run on 15 November reports only PyYAML, runs on Python 3.8
(end of life 2024-10-07) and 3.12, and lists two components; a run on 20 November failed.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.incidents.models import (
    Breach,
    Incident,
    IncidentEvent,
    IncidentPause,
    IncidentSource,
    IncidentStatus,
    TimerState,
)
from pysteward.server.monitors.models import Monitor, MonitorKind, Rollup, State, StateInterval
from pysteward.server.notify.models import AttemptOutcome, Channel, Delivery, DeliveryAttempt, DeliveryStatus
from pysteward.server.reports.models import Report, ReportKind
from pysteward.server.slas.models import Priority
from tests.server.conftest import Personas
from tests.server.slas.matrix import add_sla

NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
"""When the packs are generated: November has ended."""
FAKE_PDF = b"%PDF-1.7\n% a stand-in for an archived report\n%%EOF\n"


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    """A UTC moment of 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Seeded:
    """Ids of what `seed` made."""

    service: int
    monitor: int
    answered: int
    """The P2 incident of the outage, met its targets."""
    late: int
    """The P1 incident that missed its response target."""
    october: int
    globex_incident: int
    breach: int
    client_delivery: int
    provider_delivery: int
    mail_delivery: int
    """To the engineer's e-mail, never sent."""
    runs: tuple[int, int, int]
    """October's, 15 November's (succeeded) and 20 November's (failed)."""


def archive_report(
    session: Session,
    client_id: int,
    kind: ReportKind,
    start: datetime,
    end: datetime,
    *,
    version: int = 1,
) -> Report:
    """An archived report with a stand-in PDF (no rendering), committed."""
    pdf = FAKE_PDF + f"% {kind.value} {start:%Y-%m-%d} v{version}\n".encode()
    row = Report(
        client_id=client_id,
        kind=kind,
        period_start=start,
        period_end=end,
        timezone="UTC",
        version=version,
        sha256=hashlib.sha256(pdf).hexdigest(),
        html=f"<html><body><h1>{kind.value} report v{version}</h1></body></html>",
        pdf=pdf,
        created_at=end + timedelta(hours=1),
        created_by=None,
    )
    session.add(row)
    session.commit()
    return row


def _monitoring(session: Session, client_id: int) -> tuple[int, int]:
    service = Service(client_id=client_id, name="shop", created_at=at(1, month=10))
    session.add(service)
    session.flush()
    monitor = Monitor(
        service_id=service.id,
        name="home page",
        kind=MonitorKind.HTTP,
        config={"url": "https://shop.invalid/"},
        created_at=at(1, month=10),
    )
    session.add(monitor)
    session.flush()
    spans = [
        (State.UP, at(30, month=10), at(10, 10)),
        (State.DOWN, at(10, 10), at(10, 10, 30)),
        (State.UP, at(10, 10, 30), None),
    ]
    session.add_all(
        StateInterval(monitor_id=monitor.id, state=s, started_at=a, ended_at=b) for s, a, b in spans
    )
    session.add_all(
        [
            Rollup(monitor_id=monitor.id, period=3600, bucket_start=at(10, 10), checks=60, failures=30),
            Rollup(monitor_id=monitor.id, period=3600, bucket_start=at(10, 11), checks=60, failures=0),
            Rollup(monitor_id=monitor.id, period=3600, bucket_start=at(1, month=12), checks=60, failures=0),
        ]
    )
    return service.id, monitor.id


def _incident(session: Session, client_id: int, service_id: int | None, **fields: Any) -> Incident:
    row = Incident(client_id=client_id, service_id=service_id, source=IncidentSource.MONITOR, **fields)
    session.add(row)
    session.flush()
    return row


def _events(session: Session, incident: Incident, *entries: tuple[datetime, str, bool]) -> None:
    session.add_all(
        IncidentEvent(incident_id=incident.id, at=when, kind=kind, message=f"{kind} =cmd", public=public)
        for when, kind, public in entries
    )


def _incidents(
    session: Session, world: Personas, service_id: int, monitor_id: int, sla_id: int
) -> dict[str, int]:
    closed = {"status": IncidentStatus.RESOLVED, "sla_id": sla_id}
    answered = _incident(
        session, world.acme, service_id, monitor_id=monitor_id, title="shop is down", priority=Priority.P2,
        opened_at=at(10, 10), acknowledged_at=at(10, 10, 5), resolved_at=at(10, 10, 30),
        response_due_at=at(10, 11), response_state=TimerState.MET,
        resolution_due_at=at(10, 18), resolution_state=TimerState.MET, **closed,
    )  # fmt: skip
    _events(session, answered, (at(10, 10), "opened", False), (at(10, 10, 5), "acknowledged", False),
            (at(10, 10, 20), "update", True), (at(10, 10, 30), "resolved", False))  # fmt: skip
    late = _incident(
        session, world.acme, service_id, title="checkout errors", priority=Priority.P1,
        opened_at=at(20, 9), acknowledged_at=at(20, 9, 40), resolved_at=at(21, 9),
        response_due_at=at(20, 9, 15), response_state=TimerState.MISSED,
        resolution_due_at=at(20, 15), resolution_state=TimerState.MISSED, **closed,
    )  # fmt: skip
    _events(session, late, (at(20, 9), "opened", False), (at(20, 9, 16), "breached", False))
    session.add(
        IncidentPause(incident_id=late.id, started_at=at(20, 10), ended_at=at(20, 12), reason="client")
    )
    breach = Breach(
        incident_id=late.id, client_id=world.acme, sla_id=sla_id, priority=Priority.P1, target="response",
        due_at=at(20, 9, 15), breached_at=at(20, 9, 16),
    )  # fmt: skip
    session.add(breach)
    october = _incident(
        session, world.acme, service_id, title="last month", priority=Priority.P3,
        opened_at=at(3, month=10), resolved_at=at(4, month=10), **closed,
    )  # fmt: skip
    globex = _incident(
        session, world.globex, None, title="globex trouble", priority=Priority.P1, opened_at=at(12),
    )  # fmt: skip
    session.flush()
    ids = {"answered": answered.id, "late": late.id, "october": october.id, "globex_incident": globex.id}
    return ids | {"breach": breach.id}


def _deliveries(session: Session, world: Personas, incident_id: int) -> dict[str, int]:
    own = Channel(client_id=world.acme, name="acme ops", url="mailto://ops@acme.invalid")
    provider = Channel(client_id=None, name="on-call", url="json://pager.invalid/hook")
    session.add_all([own, provider])
    session.flush()
    made = {}
    for name, channel in (("client_delivery", own), ("provider_delivery", provider)):
        delivery = Delivery(
            channel_id=channel.id, client_id=world.acme, incident_id=incident_id, event="incident.opened",
            title="shop is down", body="P2 opened", status=DeliveryStatus.SENT, attempts=2,
            created_at=at(10, 10), finished_at=at(10, 10, 2),
        )  # fmt: skip
        session.add(delivery)
        session.flush()
        session.add_all(
            [
                DeliveryAttempt(
                    delivery_id=delivery.id,
                    at=at(10, 10, 1),
                    outcome=AttemptOutcome.TRANSIENT,
                    error="timeout",
                ),
                DeliveryAttempt(delivery_id=delivery.id, at=at(10, 10, 2), outcome=AttemptOutcome.SUCCESS),
            ]
        )
        made[name] = delivery.id
    by_mail = Delivery(
        user_id=world["engineer"].user_id, client_id=world.acme, incident_id=incident_id,
        event="incident.escalated", title="shop is down", body="still down", status=DeliveryStatus.FAILED,
        attempts=0, created_at=at(10, 10, 3),
    )  # fmt: skip
    session.add(by_mail)
    session.flush()
    return made | {"mail_delivery": by_mail.id}


def _finding(
    key: str, title: str, severity: str, fix: str | None, kind: str = "vulnerability"
) -> dict[str, Any]:
    return {"key": key, "kind": kind, "severity": severity, "title": title, "subject": key.partition(":")[0],
            "detail": "", "fix": fix}  # fmt: skip


DJANGO = _finding("django:PYSEC-2099-1", "Django SQL injection", "high", "upgrade django to 4.2.12")
PYYAML = _finding("pyyaml:PYSEC-2099-2", "PyYAML code execution", "critical", "upgrade pyyaml to 6.0.1")
LICENSE = _finding("left-pad:license", "GPL-3.0 in a proprietary product", "medium", None, kind="license")


def _assessments(session: Session, service_id: int) -> tuple[int, int, int]:
    november = {
        "findings": 2, "vulnerabilities": 1, "critical_vulnerabilities": 1, "license_issues": 1,
        "eol_runtimes": [{"version": "3.8", "eol": "2024-10-07"}],
        "runtimes": [{"version": "3.8", "eol": "2024-10-07", "supported": False},
                     {"version": "3.12", "eol": "2028-10-31", "supported": True}],
        "components": [{"project": "shop", "name": "pyyaml", "version": "6.0", "license": "MIT"},
                       {"project": "shop", "name": "=HYPERLINK()", "version": None, "license": None}],
    }  # fmt: skip
    runs = [
        AssessmentRun(service_id=service_id, repository_path="/srv/shop", status=AssessmentStatus.SUCCEEDED,
                      started_at=at(15, month=10), finished_at=at(15, month=10), findings=[DJANGO, PYYAML],
                      summary={"findings": 2, "vulnerabilities": 2}),
        AssessmentRun(service_id=service_id, repository_path="/srv/shop", status=AssessmentStatus.SUCCEEDED,
                      started_at=at(15), finished_at=at(15, 0, 1), risk_score=72.5, risk_grade="D",
                      findings=[PYYAML, LICENSE], summary=november),
        AssessmentRun(service_id=service_id, repository_path="/srv/shop", status=AssessmentStatus.FAILED,
                      started_at=at(20), finished_at=at(20), error="repository not found"),
    ]  # fmt: skip
    session.add_all(runs)
    session.flush()
    return runs[0].id, runs[1].id, runs[2].id


def seed(sessions: sessionmaker[Session], world: Personas) -> Seeded:
    """The world of the module docstring, with November's monthly report and two weekly ones archived
    (the monthly one twice: versions 1 and 2; a week running into October is not inside November)."""
    with sessions() as session:
        sla_id = add_sla(session, world, client_id=world.acme, starts_at=at(1, month=10)).id
        service_id, monitor_id = _monitoring(session, world.acme)
        incidents = _incidents(session, world, service_id, monitor_id, sla_id)
        deliveries = _deliveries(session, world, incidents["answered"])
        runs = _assessments(session, service_id)
        session.commit()
        archive_report(session, world.acme, ReportKind.MONTHLY, *NOVEMBER)
        archive_report(session, world.acme, ReportKind.MONTHLY, *NOVEMBER, version=2)
        archive_report(session, world.acme, ReportKind.WEEKLY, at(9), at(16))
        archive_report(session, world.acme, ReportKind.WEEKLY, at(26, month=10), at(2))
    return Seeded(service_id, monitor_id, **incidents, **deliveries, runs=runs)


# Reading a pack -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pack:
    """An opened evidence pack: its files by path inside its folder."""

    root: str
    files: dict[str, bytes]

    @property
    def index(self) -> dict[str, Any]:
        """index.json."""
        data: dict[str, Any] = json.loads(self.files["index.json"])
        return data

    def control(self, control_id: str) -> dict[str, Any]:
        """One control's entry of the index."""
        entry: dict[str, Any] = next(c for c in self.index["controls"] if c["id"] == control_id)
        return entry

    def rows(self, name: str) -> list[dict[str, str]]:
        """The rows of evidence/<name>.csv, as text."""
        import csv

        text = self.files[f"evidence/{name}.csv"].decode()
        return list(csv.DictReader(io.StringIO(text)))

    def json_rows(self, name: str) -> list[dict[str, Any]]:
        """The rows of evidence/<name>.json, as typed values."""
        rows: list[dict[str, Any]] = json.loads(self.files[f"evidence/{name}.json"])["rows"]
        return rows


def open_pack(content: bytes) -> Pack:
    """The files of a pack's zip, checking they all sit in one folder."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        roots = {name.split("/", 1)[0] for name in names}
        assert len(roots) == 1, roots
        root = roots.pop()
        return Pack(root, {name.split("/", 1)[1]: archive.read(name) for name in names})
