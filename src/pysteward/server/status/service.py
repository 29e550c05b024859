"""What a client's status page shows (`gather`); who may read it is `status.access`.

What the page shows is public by construction: service names and states, availability, incident
titles with their *public* updates (`IncidentEvent.public`), and maintenance titles. Never monitor
names (an incident a monitor or a burn-rate alert opened is titled "Service disruption"), incident
ids or descriptions, internal comments, assignees, people or timers.

    current state      per service, from its enabled monitors, combined as the covering SLA's policy
                       says (all / any); an ongoing scheduled maintenance wins
    availability       per local day of the last 90 days (`status.availability`)
    incidents          open, or resolved in the last 14 days, newest first, with public updates
    maintenance        occurrences of the client's SLAs' windows running now or starting within 14 days

Each part is one or two set-based queries: services, monitors, SLAs, policies, windows, intervals,
incidents, public updates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.incidents.models import Incident, IncidentEvent, IncidentSource, IncidentStatus
from pysteward.server.monitors.models import Monitor, State
from pysteward.server.slas import maintenance
from pysteward.server.slas.accounting import Policy
from pysteward.server.slas.models import AccountingPolicy, Combine, MaintenanceKind, MaintenanceWindow, Sla
from pysteward.server.slas.service import maintenance_spec, policy_value
from pysteward.server.status.availability import Coverage, Day, day_bounds, measure, overall_percent
from pysteward.server.tenancy.models import Client

__all__ = [
    "PlannedMaintenance",
    "PublicIncident",
    "PublicUpdate",
    "ServiceStatus",
    "StatusPage",
    "gather",
]

INCIDENT_DAYS = 14
MAINTENANCE_DAYS = 14
_DEFAULT_POLICY = Policy(version=0)

_STATE_LABELS = {
    State.UP: "Operational",
    State.DEGRADED: "Degraded performance",
    State.DOWN: "Outage",
    State.MAINTENANCE: "Under maintenance",
    State.UNKNOWN: "No data",
}
_WRITTEN_BY_PEOPLE = (IncidentSource.MANUAL, IncidentSource.API)
_SYSTEM_TITLE = "Service disruption"
_INCIDENT_LABELS = {
    IncidentStatus.TRIGGERED: "Investigating",
    IncidentStatus.ACKNOWLEDGED: "In progress",
    IncidentStatus.RESOLVED: "Resolved",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceStatus:
    """One service: its state now, its 90 days and the figure over them."""

    name: str
    state: State
    label: str
    percent: Decimal | None
    days: tuple[Day, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicUpdate:
    """An update written for the client's users."""

    at: datetime
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicIncident:
    """An incident as the status page shows it (no id: ids would tell how many incidents all clients
    have had)."""

    title: str
    """As written for a manual or API incident; a fixed one for an incident Steward opened, whose title
    names a monitor."""
    service: str | None
    status: IncidentStatus
    label: str
    opened_at: datetime
    resolved_at: datetime | None
    updates: tuple[PublicUpdate, ...]
    """Newest first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedMaintenance:
    """One occurrence of a maintenance window, ongoing or upcoming."""

    title: str
    starts_at: datetime
    ends_at: datetime
    services: tuple[str, ...]
    ongoing: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusPage:
    """Everything one client's status page shows, as of `generated_at`."""

    client_id: int
    client: str
    timezone: str
    generated_at: datetime
    state: str
    """up, degraded, partial, major, maintenance, incident or unknown (the banner's colour)."""
    headline: str
    percent: Decimal | None
    """Availability over the 90 days, all services together, time-weighted."""
    first_day: date
    last_day: date
    services: tuple[ServiceStatus, ...]
    incidents: tuple[PublicIncident, ...]
    maintenance: tuple[PlannedMaintenance, ...]


# What it shows ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Slas:
    """The client's SLAs, which covers each service, the policy in effect, and their windows."""

    covering: dict[int, Sla]
    policies: dict[int, Policy]
    windows: dict[int, list[MaintenanceWindow]]
    services_of: dict[int, list[str]]


def _load_slas(session: Session, client_id: int, services: Sequence[Service], now: datetime) -> _Slas:
    slas = list(session.scalars(select(Sla).where(Sla.client_id == client_id).order_by(Sla.id)))
    own = {sla.service_id: sla for sla in slas if sla.service_id is not None}
    wide = next((sla for sla in slas if sla.service_id is None), None)
    covering = {s.id: sla for s in services if (sla := own.get(s.id, wide)) is not None}
    ids = [sla.id for sla in slas]
    policies: dict[int, Policy] = {}
    rows = session.scalars(
        select(AccountingPolicy).where(AccountingPolicy.sla_id.in_(ids)).order_by(AccountingPolicy.version)
    )
    for row in rows:  # oldest first: the latest in effect at `now` wins, else the first
        if row.sla_id not in policies or row.effective_from <= now:
            policies[row.sla_id] = policy_value(row)
    windows: dict[int, list[MaintenanceWindow]] = {}
    for window in session.scalars(select(MaintenanceWindow).where(MaintenanceWindow.sla_id.in_(ids))):
        windows.setdefault(window.sla_id, []).append(window)
    services_of: dict[int, list[str]] = {}
    for service in services:
        if service.id in covering:
            services_of.setdefault(covering[service.id].id, []).append(_service_name(service))
    return _Slas(covering, policies, windows, services_of)


def _service_name(service: Service) -> str:
    return service.name if service.environment == "production" else f"{service.name} ({service.environment})"


def _occurrences(
    windows: Iterable[MaintenanceWindow], start: datetime, end: datetime
) -> list[tuple[datetime, datetime, str]]:
    """Occurrences overlapping [start, end), unclipped (each window is read wide enough for that)."""
    found = []
    for window in windows:
        spec = maintenance_spec(window)
        if spec.kind is MaintenanceKind.ONCE and window.ends_at is not None:
            span = window.ends_at - window.starts_at
        else:
            span = spec.duration
        for a, b in maintenance.occurrences(spec, start - span, end + span):
            if b > start and a < end:
                found.append((a, b, window.title))
    return found


def _coverage(
    slas: _Slas, services: Sequence[Service], start: datetime, end: datetime
) -> dict[int, Coverage]:
    """How each service is counted over [start, end): its SLA's policy, target and maintenance."""
    spans = {
        sla_id: maintenance.merge((a, b) for a, b, _title in _occurrences(windows, start, end))
        for sla_id, windows in slas.windows.items()
    }
    found = {}
    for service in services:
        sla = slas.covering.get(service.id)
        if sla is None:
            found[service.id] = Coverage(policy=_DEFAULT_POLICY, target=Decimal(100), maintenance=())
        else:
            found[service.id] = Coverage(
                policy=slas.policies.get(sla.id, _DEFAULT_POLICY),
                target=Decimal(str(sla.target)),
                maintenance=spans.get(sla.id, ()),
            )
    return found


def _combined(states: Sequence[State], combine: Combine) -> State:
    """A service's state from its monitors' (monitors in maintenance left out)."""
    counted = [state for state in states if state is not State.MAINTENANCE]
    if not states:
        return State.UNKNOWN
    if not counted:
        return State.MAINTENANCE
    first, last = (State.DOWN, State.UP) if combine is Combine.ALL else (State.UP, State.DOWN)
    for state in (first, State.DEGRADED, State.UNKNOWN):
        if state in counted:
            return state
    return last


def _monitor_states(session: Session, service_ids: list[int]) -> dict[int, list[State]]:
    query = select(Monitor.service_id, Monitor.state, Monitor.maintenance).where(
        Monitor.service_id.in_(service_ids), Monitor.enabled.is_(True)
    )
    found: dict[int, list[State]] = {service_id: [] for service_id in service_ids}
    for service_id, state, in_maintenance in session.execute(query):
        found[service_id].append(State.MAINTENANCE if in_maintenance else state)
    return found


def _incidents(
    session: Session, client_id: int, names: dict[int, str], now: datetime
) -> tuple[PublicIncident, ...]:
    since = now - timedelta(days=INCIDENT_DAYS)
    rows = session.execute(
        select(
            Incident.id,
            Incident.title,
            Incident.source,
            Incident.service_id,
            Incident.status,
            Incident.opened_at,
            Incident.resolved_at,
        )
        .where(
            Incident.client_id == client_id,
            Incident.opened_at <= now,
            or_(Incident.status != IncidentStatus.RESOLVED, Incident.resolved_at >= since),
        )
        .order_by(Incident.opened_at.desc(), Incident.id.desc())
        .limit(100)
    ).all()
    updates: dict[int, list[PublicUpdate]] = {row.id: [] for row in rows}
    events = session.execute(
        select(IncidentEvent.incident_id, IncidentEvent.at, IncidentEvent.message)
        .where(
            IncidentEvent.incident_id.in_(updates), IncidentEvent.public.is_(True), IncidentEvent.at <= now
        )
        .order_by(IncidentEvent.at.desc(), IncidentEvent.id.desc())
    )
    for incident_id, at, message in events:
        updates[incident_id].append(PublicUpdate(at=at, message=message))
    return tuple(
        PublicIncident(
            title=row.title if row.source in _WRITTEN_BY_PEOPLE else _SYSTEM_TITLE,
            service=names.get(row.service_id) if row.service_id is not None else None,
            status=row.status,
            label=_INCIDENT_LABELS[row.status],
            opened_at=row.opened_at,
            resolved_at=row.resolved_at,
            updates=tuple(updates[row.id]),
        )
        for row in rows
    )


def _planned(slas: _Slas, now: datetime) -> tuple[tuple[PlannedMaintenance, ...], set[int]]:
    """Occurrences running at `now` or starting within 14 days, by start; and the SLAs in
    maintenance at `now`."""
    end = now + timedelta(days=MAINTENANCE_DAYS)
    found, ongoing = [], set()
    for sla_id, windows in slas.windows.items():
        services = tuple(slas.services_of.get(sla_id, ()))
        for a, b, title in _occurrences(windows, now, end):
            if a <= now:
                ongoing.add(sla_id)
            found.append(
                PlannedMaintenance(title=title, starts_at=a, ends_at=b, services=services, ongoing=a <= now)
            )
    return tuple(sorted(found, key=lambda item: (item.starts_at, item.title))), ongoing


def _headline(states: Sequence[State], incidents: Sequence[PublicIncident]) -> tuple[str, str]:
    """The banner: its colour and its sentence, the worst news first."""
    known = [state for state in states if state is not State.UNKNOWN]
    if State.DOWN in known:
        everything = all(state is State.DOWN for state in known)
        return ("major", "Major outage") if everything else ("partial", "Partial outage")
    working = any(incident.status is not IncidentStatus.RESOLVED for incident in incidents)
    for applies, answer in (
        (State.DEGRADED in known, ("degraded", "Degraded performance")),
        (State.MAINTENANCE in known, ("maintenance", "Maintenance in progress")),
        (working, ("incident", "We are working on an incident")),
        (not states, ("unknown", "No services listed yet")),
        (not known, ("unknown", "No data yet")),
    ):
        if applies:
            return answer
    return "up", "All systems operational"


def _service_rows(
    session: Session,
    services: Sequence[Service],
    slas: _Slas,
    *,
    start: datetime,
    now: datetime,
    timezone: str,
    ongoing: set[int],
) -> tuple[list[ServiceStatus], Decimal | None]:
    """Each service's state and days since `start`, and the figure over all of them."""
    coverage = _coverage(slas, services, start, now)
    figures = measure(session, coverage=coverage, now=now, timezone=timezone)
    monitors = _monitor_states(session, [service.id for service in services])
    rows = []
    for service in services:
        sla = slas.covering.get(service.id)
        if sla is not None and sla.id in ongoing:
            state = State.MAINTENANCE
        else:
            state = _combined(monitors[service.id], coverage[service.id].policy.combine)
        rows.append(
            ServiceStatus(
                name=_service_name(service),
                state=state,
                label=_STATE_LABELS[state],
                percent=figures[service.id].percent,
                days=figures[service.id].days,
            )
        )
    return rows, overall_percent(list(figures.values()))


def gather(session: Session, *, client: Client, now: datetime) -> StatusPage:
    """Everything `client`'s status page shows as of `now` (see the module docstring)."""
    services = list(
        session.scalars(
            select(Service).where(Service.client_id == client.id).order_by(Service.name, Service.id)
        )
    )
    slas = _load_slas(session, client.id, services, now)
    planned, ongoing = _planned(slas, now)
    dates, bounds = day_bounds(now, client.report_timezone)
    rows, percent = _service_rows(
        session, services, slas, start=bounds[0], now=now, timezone=client.report_timezone, ongoing=ongoing
    )
    incidents = _incidents(session, client.id, {s.id: _service_name(s) for s in services}, now)
    state, headline = _headline([row.state for row in rows], incidents)
    return StatusPage(
        client_id=client.id,
        client=client.name,
        timezone=client.report_timezone,
        generated_at=now,
        state=state,
        headline=headline,
        percent=percent,
        first_day=dates[0],
        last_day=dates[-1],
        services=tuple(rows),
        incidents=incidents,
        maintenance=planned,
    )
