"""The overview's data, from the service functions with a fixed clock: the current window's figures
equal the SLA's own, states combine worst first, counts and risks come from the right rows, and the
number of queries does not grow with the estate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.estate.models import AssessmentStatus
from pysteward.server.estate.overview import estate_overview, service_state, worst_state
from pysteward.server.estate.window_figures import window_figures
from pysteward.server.incidents.models import IncidentStatus
from pysteward.server.monitors.models import State
from pysteward.server.principal import Principal
from pysteward.server.slas.figures import sla_figures
from pysteward.server.slas.models import (
    AccountingPolicy,
    Combine,
    DegradedAs,
    MaintenanceKind,
    MaintenanceWindow,
    Priority,
    WindowKind,
)
from pysteward.server.slas.periods import parse_period
from pysteward.server.tenancy.models import Role
from tests.server.conftest import Personas
from tests.server.console.world import add_incident, add_monitor, add_run, add_service, add_sla

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
STAFF = Principal(user_id=1, role=Role.ENGINEER, client_id=None, via="session")


def _flappy(session: Session, service_id: int, name: str, offset: int) -> None:
    """A monitor going down for 20 minutes every two days this month, degraded once, with a gap."""
    spans: list[tuple[datetime, datetime | None, State]] = []
    at = datetime(2026, 10, 25, tzinfo=UTC)
    while at < NOW - timedelta(days=2):
        spans.append((at, at + timedelta(days=2), State.UP))
        spans.append((at + timedelta(days=2), at + timedelta(days=2, minutes=20 + offset), State.DOWN))
        at += timedelta(days=2, minutes=20 + offset)
    spans.append((at, at + timedelta(hours=3), State.DEGRADED))
    spans.append((at + timedelta(hours=4), None, State.UP))  # an hour of no data before it
    add_monitor(session, service_id, name, spans=spans)


def test_the_current_window_figures_equal_the_slas_own_figures(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        wide = add_sla(session, personas.acme, starts_at=datetime(2026, 1, 1, tzinfo=UTC))
        session.add(
            AccountingPolicy(
                sla_id=wide.id,
                version=2,
                combine=Combine.ANY,
                degraded_as=DegradedAs.DOWN,
                effective_from=datetime(2026, 11, 10, tzinfo=UTC),
            )
        )
        session.add(
            MaintenanceWindow(
                sla_id=wide.id,
                title="patching",
                kind=MaintenanceKind.RRULE,
                starts_at=datetime(2026, 1, 1, tzinfo=UTC),
                duration_minutes=90,
                expression="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2",
                timezone="Europe/Paris",
            )
        )
        shop, api = add_service(session, personas.acme, "shop"), add_service(session, personas.acme, "api")
        _flappy(session, shop.id, "home", 0)
        _flappy(session, shop.id, "checkout", 7)
        _flappy(session, api.id, "health", 3)
        weekly = add_sla(
            session,
            personas.acme,
            service_id=api.id,
            target=99.5,
            window=WindowKind.WEEK,
            starts_at=datetime(2026, 11, 18, 6, tzinfo=UTC),
            name="Silver",
        )
        session.commit()
        figures = window_figures(
            session, services=[(shop.id, personas.acme), (api.id, personas.acme)], now=NOW
        )
        for service, sla in ((shop, wide), (api, weekly)):
            period = parse_period(sla.window, "current", sla.timezone, anchor=sla.starts_at, now=NOW)
            expected = {f.service_id: f for f in sla_figures(session, sla=sla, period=period, now=NOW)}[
                service.id
            ]
            mine = figures[service.id]
            assert (mine.sla_id, mine.period) == (sla.id, period)
            assert mine.availability == expected.availability
            assert mine.budget == expected.budget
    assert figures[shop.id].availability.down_seconds > 0
    assert figures[api.id].availability.start == datetime(2026, 11, 18, 6, tzinfo=UTC)  # the SLA's start


def test_a_service_shows_the_worst_state_of_its_enabled_monitors() -> None:
    assert worst_state({"up": 3, "maintenance": 1}) == "maintenance"
    assert worst_state({"up": 3, "unknown": 1, "degraded": 1}) == "degraded"
    assert worst_state({"up": 1, "down": 1}) == "down"
    assert service_state({"up": 2, "disabled": 1}) == ("up", 2)
    assert service_state({"disabled": 2}) == ("paused", 0)
    assert service_state({}) == ("unknown", 0)


def test_counts_and_risks_come_from_open_incidents_and_the_latest_succeeded_run(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        shop = add_service(session, personas.acme, "shop")
        add_monitor(session, shop.id, "home", spans=[(NOW - timedelta(days=1), None, State.DOWN)])
        add_monitor(session, shop.id, "search", spans=[(NOW - timedelta(days=1), None, State.UP)])
        for priority in (Priority.P1, Priority.P3, Priority.P3):
            add_incident(
                session, shop, f"{priority} trouble", priority=priority, opened_at=NOW - timedelta(hours=1)
            )
        closed = add_incident(session, shop, "old", priority=Priority.P1, opened_at=NOW - timedelta(days=3))
        closed.status = IncidentStatus.RESOLVED
        add_run(session, shop.id, started_at=NOW - timedelta(days=9), grade="F", score=80.0)
        latest = add_run(session, shop.id, started_at=NOW - timedelta(days=2), grade="B", score=11.0)
        add_run(
            session, shop.id, started_at=NOW - timedelta(days=1), status=AssessmentStatus.FAILED, grade="A"
        )
        session.commit()
        overview = estate_overview(session, principal=STAFF, now=NOW)
    (row,) = overview.services
    assert (row.state, row.monitors, row.figure) == ("down", 2, None)
    assert row.incidents == {Priority.P1: 1, Priority.P3: 2} and row.open_incidents == 3
    assert row.risk is not None and (row.risk.run_id, row.risk.grade, row.risk.score) == (
        latest.id,
        "B",
        11.0,
    )
    assert [c.name for c in overview.clients] == ["Acme", "Globex"]  # Globex has no services: still listed
    assert overview.count("down") == 1 and overview.incidents(Priority.P3) == 2


def _add_services(session: Session, personas: Personas, numbers: range) -> None:
    for n in numbers:
        service = add_service(session, personas.acme if n % 2 else personas.globex, f"service {n}")
        if n % 2:
            add_sla(session, personas.acme, service_id=service.id, starts_at=NOW, name=f"own {n}")
        add_monitor(session, service.id, "home", spans=[(NOW - timedelta(days=30), None, State.UP)])
        add_monitor(session, service.id, "api", spans=[(NOW - timedelta(days=30), None, State.UP)])
        add_run(session, service.id, started_at=NOW - timedelta(days=1))
        add_incident(session, service, "trouble", opened_at=NOW - timedelta(hours=1))


def _statements(session: Session) -> tuple[int, int]:
    """How many statements the overview sends, and how many services it shows."""
    statements: list[str] = []
    bind = session.get_bind()

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(bind, "before_cursor_execute", record)
    try:
        overview = estate_overview(session, principal=STAFF, now=NOW)
    finally:
        event.remove(bind, "before_cursor_execute", record)
    assert all(row.figure is not None for row in overview.services)
    return len(statements), len(overview.services)


def test_the_overview_asks_the_same_number_of_queries_whatever_the_estate_size(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        add_sla(session, personas.globex, starts_at=datetime(2026, 1, 1, tzinfo=UTC))
        _add_services(session, personas, range(2))
        small = _statements(session)
        _add_services(session, personas, range(2, 14))
        large = _statements(session)
    assert (small[1], large[1]) == (2, 14)
    assert small[0] == large[0] <= 9
