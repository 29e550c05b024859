"""Building blocks for the console page tests: an estate written straight to the database, and a
signed-in browser session for the `client` fixture."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.incidents.models import Incident, IncidentSource, IncidentStatus
from pysteward.server.incidents.service import open_incident
from pysteward.server.monitors.models import CheckResult, Monitor, MonitorKind, State, StateInterval
from pysteward.server.slas.models import AccountingPolicy, Priority, PriorityTarget, Sla, WindowKind
from pysteward.server.slas.service import DEFAULT_TARGETS
from tests.server.conftest import Personas

Spans = Sequence[tuple[datetime, datetime | None, State]]


def sign_in(client: TestClient, personas: Personas, name: str) -> str:
    """Sign `client` in as persona `name` with a browser session; the session's CSRF token."""
    client.cookies.clear()
    person = personas[name]
    response = client.post("/api/v1/auth/login", json={"email": person.email, "password": person.password})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def add_service(session: Session, client_id: int, name: str, **fields: Any) -> Service:
    """A service of `client_id`, committed."""
    service = Service(client_id=client_id, name=name, **fields)
    session.add(service)
    session.commit()
    return service


def add_monitor(session: Session, service_id: int, name: str, *, spans: Spans = (), **fields: Any) -> Monitor:
    """A monitor whose state intervals are `spans` (its state: the last span's), committed."""
    values: dict[str, Any] = {
        "kind": MonitorKind.HTTP,
        "config": {"url": "https://shop.example.invalid/"},
        "incident_priority": Priority.P2,
    }
    if spans:
        values.update(state=spans[-1][2], state_since=spans[-1][0])
    values.update(fields)
    monitor = Monitor(service_id=service_id, name=name, **values)
    session.add(monitor)
    session.flush()
    for start, end, state in spans:
        session.add(StateInterval(monitor_id=monitor.id, state=state, started_at=start, ended_at=end))
    session.commit()
    return monitor


def add_sla(
    session: Session,
    client_id: int,
    *,
    service_id: int | None = None,
    target: float = 99.9,
    starts_at: datetime,
    window: WindowKind = WindowKind.MONTH,
    name: str = "Gold",
) -> Sla:
    """An SLA with policy version 1 and the default targets, committed."""
    sla = Sla(
        client_id=client_id,
        service_id=service_id,
        name=name,
        target=target,
        window=window,
        starts_at=starts_at,
        created_at=starts_at,
    )
    session.add(sla)
    session.flush()
    session.add(AccountingPolicy(sla_id=sla.id, version=1, effective_from=starts_at))
    for priority, targets in DEFAULT_TARGETS.items():
        session.add(PriorityTarget(sla_id=sla.id, priority=priority, **targets.model_dump()))
    session.commit()
    return sla


def add_incident(
    session: Session,
    service: Service,
    title: str,
    *,
    priority: Priority = Priority.P2,
    opened_at: datetime,
    now: datetime | None = None,
) -> Incident:
    """An incident opened the way a monitor or a person opens one (timers from the covering SLA)."""
    incident = open_incident(
        session,
        client_id=service.client_id,
        service_id=service.id,
        priority=priority,
        title=title,
        source=IncidentSource.MANUAL,
        now=now or opened_at,
        opened_at=opened_at,
    )
    session.commit()
    return incident


def add_run(
    session: Session,
    service_id: int,
    *,
    started_at: datetime,
    grade: str = "B",
    score: float = 12.5,
    status: AssessmentStatus = AssessmentStatus.SUCCEEDED,
    findings: list[dict[str, Any]] | None = None,
) -> AssessmentRun:
    """An assessment run of `service_id`, committed."""
    run = AssessmentRun(
        service_id=service_id,
        repository_path="/srv/shop",
        status=status,
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=2),
        risk_grade=grade,
        risk_score=score,
        summary={"findings": len(findings or [])},
        findings=findings or [],
    )
    session.add(run)
    session.commit()
    return run


def add_results(session: Session, monitor_id: int, results: Sequence[tuple[datetime, float | None]]) -> None:
    """Raw check results of `monitor_id`: (checked_at, latency in ms), committed."""
    for at, latency in results:
        state = State.UP if latency is not None else State.DOWN
        session.add(CheckResult(monitor_id=monitor_id, checked_at=at, state=state, latency_ms=latency))
    session.commit()


def status_of(sessions: sessionmaker[Session], incident_id: int) -> IncidentStatus:
    """The stored status of an incident."""
    with sessions() as session:
        return session.get_one(Incident, incident_id).status
