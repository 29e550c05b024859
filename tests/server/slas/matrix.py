# ruff: noqa: E501 (one line per route)
"""Authorization matrix rows for calendars and SLAs (see tests/server/matrix.py), and the building
blocks the slas tests share: principals, services, monitors with intervals, SLAs.

Routes naming two things (`/slas/{sla_id}/targets/{priority}`, `/slas/{sla_id}/maintenance/{window_id}`)
get one value per placeholder from their factories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.monitors.models import Monitor, MonitorKind, State, StateInterval
from pysteward.server.principal import Principal
from pysteward.server.slas import service as slas
from pysteward.server.slas.models import BusinessCalendar, MaintenanceKind, MaintenanceWindow, Sla, WindowKind
from pysteward.server.slas.schemas import PolicyCreate, SlaCreate
from pysteward.server.tenancy.models import Role
from tests.server.conftest import Personas
from tests.server.matrix import Access, Factory, Rule, next_number

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


# Building blocks ----------------------------------------------------------------------------------


def staff(world: Personas, name: str = "admin") -> Principal:
    """The principal of provider staff persona `name`."""
    person = world[name]
    return Principal(user_id=person.user_id, role=person.role, client_id=None, via="session")


def viewer(world: Personas, name: str = "acme_viewer") -> Principal:
    """The principal of a client viewer persona."""
    person = world[name]
    return Principal(user_id=person.user_id, role=Role.VIEWER, client_id=person.client_id, via="session")


def add_service(session: Session, client_id: int, name: str | None = None) -> Service:
    """A committed service of `client_id`."""
    row = Service(client_id=client_id, name=name or f"service {next_number()}")
    session.add(row)
    session.commit()
    return row


def add_monitor(
    session: Session, service_id: int, spans: Sequence[tuple[State, datetime, datetime | None]] = ()
) -> Monitor:
    """A committed monitor of `service_id` with state intervals `(state, start, end)`."""
    monitor = Monitor(
        service_id=service_id,
        name=f"monitor {next_number()}",
        kind=MonitorKind.HTTP,
        config={"url": "http://shop.invalid/"},
    )
    session.add(monitor)
    session.flush()
    session.add_all(
        StateInterval(monitor_id=monitor.id, state=state, started_at=start, ended_at=end)
        for state, start, end in spans
    )
    session.commit()
    return monitor


def add_sla(
    session: Session,
    world: Personas,
    *,
    client_id: int,
    service_id: int | None = None,
    target: str = "99.9",
    window: WindowKind = WindowKind.MONTH,
    starts_at: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    policy: PolicyCreate | None = None,
    now: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    timezone: str = "UTC",
) -> Sla:
    """An SLA made through the service, as an admin (policy version 1 in effect from `now`)."""
    data = SlaCreate(
        client_id=client_id,
        service_id=service_id,
        name=f"sla {next_number()}",
        target=Decimal(target),
        window=window,
        starts_at=starts_at,
        policy=policy,
        timezone=timezone,
    )
    return slas.create_sla(session, principal=staff(world), data=data, now=now)


# Matrix factories ---------------------------------------------------------------------------------


def _client_of(world: Personas, side: str) -> int:
    return world.acme if side == "own" else world.globex


def _sla_service(session: Session, world: Personas, role: str, side: str) -> int:
    return add_service(session, _client_of(world, side)).id


def _calendar(session: Session, world: Personas, role: str, side: str) -> int:
    row = BusinessCalendar(
        client_id=_client_of(world, side),
        name=f"calendar {next_number()}",
        weekly_hours={"mon": [["09:00", "17:00"]]},
    )
    session.add(row)
    session.commit()
    return row.id


def _sla(session: Session, world: Personas, role: str, side: str) -> int:
    client_id = _client_of(world, side)
    return add_sla(session, world, client_id=client_id, service_id=add_service(session, client_id).id).id


def _target_path(session: Session, world: Personas, role: str, side: str) -> dict[str, int | str]:
    return {"sla_id": _sla(session, world, role, side), "priority": "P1"}


def _maintenance_path(session: Session, world: Personas, role: str, side: str) -> dict[str, int | str]:
    sla_id = _sla(session, world, role, side)
    row = MaintenanceWindow(
        sla_id=sla_id,
        title="upgrade",
        kind=MaintenanceKind.ONCE,
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=1),
    )
    session.add(row)
    session.commit()
    return {"sla_id": sla_id, "window_id": row.id}


FACTORIES: dict[str, Factory] = {
    "sla_service": _sla_service,
    "calendar": _calendar,
    "sla": _sla,
    "sla_target_path": _target_path,
    "sla_maintenance_path": _maintenance_path,
}

_ONCE = {
    "title": "upgrade",
    "kind": "once",
    "starts_at": "2030-01-01T00:00:00Z",
    "ends_at": "2030-01-01T01:00:00Z",
}
_TARGETS = {
    "response_amount": 5, "response_unit": "minutes", "response_clock": "24x7",
    "resolution_amount": 1, "resolution_unit": "hours", "resolution_clock": "24x7",
}  # fmt: skip

# fmt: off
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/calendars"): Rule(Access.AUTHENTICATED),
    ("POST", "/api/v1/calendars"): Rule(Access.CREATE, body=lambda t: {"client_id": t.client_id, "name": f"cal {t.n}"}),
    ("GET", "/api/v1/calendars/{calendar_id}"): Rule(Access.READ, kind="calendar"),
    ("PATCH", "/api/v1/calendars/{calendar_id}"): Rule(Access.WRITE, kind="calendar", body=lambda t: {"name": f"cal {t.n}"}),
    ("DELETE", "/api/v1/calendars/{calendar_id}"): Rule(Access.WRITE, kind="calendar"),
    ("GET", "/api/v1/slas"): Rule(Access.AUTHENTICATED),
    ("POST", "/api/v1/slas"): Rule(Access.CREATE, kind="sla_service", body=lambda t: {
        "client_id": t.client_id, "service_id": t.object_id, "name": f"sla {t.n}", "target": "99.9"}),
    ("GET", "/api/v1/slas/{sla_id}"): Rule(Access.READ, kind="sla"),
    ("PATCH", "/api/v1/slas/{sla_id}"): Rule(Access.WRITE, kind="sla", body=lambda t: {"name": f"sla {t.n}"}),
    ("DELETE", "/api/v1/slas/{sla_id}"): Rule(Access.WRITE, kind="sla"),
    ("GET", "/api/v1/slas/{sla_id}/policies"): Rule(Access.READ, kind="sla"),
    ("POST", "/api/v1/slas/{sla_id}/policies"): Rule(Access.WRITE, kind="sla", body=lambda t: {"unknown_as": "up"}),
    ("PUT", "/api/v1/slas/{sla_id}/targets/{priority}"): Rule(Access.WRITE, kind="sla_target_path", body=lambda t: _TARGETS),
    ("GET", "/api/v1/slas/{sla_id}/maintenance"): Rule(Access.READ, kind="sla"),
    ("POST", "/api/v1/slas/{sla_id}/maintenance"): Rule(Access.WRITE, kind="sla", body=lambda t: _ONCE),
    ("DELETE", "/api/v1/slas/{sla_id}/maintenance/{window_id}"): Rule(Access.WRITE, kind="sla_maintenance_path"),
    ("GET", "/api/v1/slas/{sla_id}/availability"): Rule(Access.READ, kind="sla"),
    ("GET", "/api/v1/slas/{sla_id}/burn-alerts"): Rule(Access.READ, kind="sla"),
}
# fmt: on
