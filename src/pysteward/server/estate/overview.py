"""The estate overview: every client a caller sees, their services and the figures of each, gathered
with a fixed number of set-based queries however large the estate.

    services      one query (with their clients)
    state         one query of the monitors: the service's current state is the worst of its enabled
                  monitors' states (down > degraded > unknown > maintenance > up); no enabled monitor:
                  `paused`, no monitor at all: `unknown` (the same rows tell `window_figures` which
                  services' monitors changed)
    availability  `window_figures`: the current SLA window so far and the error budget left
    incidents     one GROUP BY over open incidents: counts per priority
    risk          one query: the latest succeeded assessment run of each service (grade and score)

A client viewer sees only their client; staff see every client, those without services too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.estate.window_cache import WindowCache
from pysteward.server.estate.window_figures import WindowFigure, window_figures
from pysteward.server.estate.window_load import MonitorRow, monitor_rows, seen_by_service
from pysteward.server.incidents.models import Incident, IncidentStatus
from pysteward.server.principal import Principal
from pysteward.server.slas.models import Priority
from pysteward.server.tenancy.models import Client, StatusPageAccess

__all__ = [
    "STATE_ORDER",
    "ClientGroup",
    "Overview",
    "Risk",
    "ServiceRow",
    "estate_overview",
    "latest_risks",
    "open_incident_counts",
    "service_state",
    "service_states",
    "worst_state",
]

STATE_ORDER = ("down", "degraded", "unknown", "maintenance", "up")
"""Worst first: a service shows the first state any of its enabled monitors is in."""
_OPEN = (IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED)


@dataclass(frozen=True, slots=True)
class Risk:
    """The latest succeeded assessment of a service."""

    run_id: int
    grade: str | None
    score: float | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceRow:
    """One service of the overview with its figures."""

    id: int
    name: str
    environment: str
    state: str
    """`up`, `down`, `degraded`, `maintenance`, `unknown` or `paused` (see the module docstring)."""
    monitors: int
    """Enabled monitors."""
    figure: WindowFigure | None
    """None: no SLA covers the service."""
    incidents: dict[Priority, int]
    """Open incidents per priority (priorities without any are absent)."""
    risk: Risk | None

    @property
    def open_incidents(self) -> int:
        """Open incidents of every priority."""
        return sum(self.incidents.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientGroup:
    """A client and its services, by name."""

    id: int
    name: str
    status_page: StatusPageAccess
    services: list[ServiceRow] = field(default_factory=list)

    def count(self, state: str) -> int:
        """Services currently in `state`."""
        return sum(1 for service in self.services if service.state == state)

    @property
    def open_incidents(self) -> int:
        """Open incidents of every service of the client."""
        return sum(service.open_incidents for service in self.services)


@dataclass(frozen=True, slots=True, kw_only=True)
class Overview:
    """Everything the overview page shows, as of `now`."""

    now: datetime
    clients: list[ClientGroup]

    @property
    def services(self) -> list[ServiceRow]:
        """Every service of every client."""
        return [service for client in self.clients for service in client.services]

    def count(self, state: str) -> int:
        """Services currently in `state`, over every client."""
        return sum(client.count(state) for client in self.clients)

    def incidents(self, priority: Priority) -> int:
        """Open incidents of `priority`, over every client."""
        return sum(service.incidents.get(priority, 0) for service in self.services)

    @property
    def budgets_spent(self) -> int:
        """Services whose error budget for the current window is used up (or overspent)."""
        return sum(
            1 for s in self.services if s.figure is not None and s.figure.budget.remaining_seconds <= 0
        )


def _visible(principal: Principal, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    if principal.is_provider and principal.client_id is None:
        return true()
    return column == principal.client_id


def worst_state(states: dict[str, int]) -> str:
    """The worst state with a count above zero in `states` (`unknown` when there is none)."""
    return next((state for state in STATE_ORDER if states.get(state)), "unknown")


def service_state(counts: dict[str, int]) -> tuple[str, int]:
    """A service's state and number of enabled monitors, from its monitors counted by state (disabled
    monitors under `disabled`): the worst enabled state, `paused` when every monitor is disabled,
    `unknown` without monitors."""
    enabled = sum(count for state, count in counts.items() if state != "disabled")
    if enabled:
        return worst_state(counts), enabled
    return ("paused" if counts.get("disabled") else "unknown"), 0


def service_states(rows: Iterable[MonitorRow]) -> dict[int, tuple[str, int]]:
    """Each service with monitors in `rows`: its state and its number of enabled monitors."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for service_id, _monitor_id, enabled, state, _since in rows:
        key = state if enabled else "disabled"
        counts[service_id][key] = counts[service_id].get(key, 0) + 1
    return {service_id: service_state(states) for service_id, states in counts.items()}


def open_incident_counts(session: Session, principal: Principal) -> dict[int, dict[Priority, int]]:
    """Open incidents of each visible service, per priority."""
    query = (
        select(Incident.service_id, Incident.priority, func.count())
        .where(Incident.status.in_(_OPEN), Incident.service_id.is_not(None))
        .where(_visible(principal, Incident.client_id))
        .group_by(Incident.service_id, Incident.priority)
    )
    counts: dict[int, dict[Priority, int]] = defaultdict(dict)
    for service_id, priority, count in session.execute(query):
        counts[cast(int, service_id)][Priority(priority)] = count  # not None: the query leaves those out
    return counts


def latest_risks(session: Session, principal: Principal) -> dict[int, Risk]:
    """The latest succeeded assessment run of each visible service (latest start, then highest id)."""
    rank = (
        func.row_number()
        .over(
            partition_by=AssessmentRun.service_id,
            order_by=(AssessmentRun.started_at.desc(), AssessmentRun.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(
            AssessmentRun.service_id,
            AssessmentRun.id,
            AssessmentRun.risk_grade,
            AssessmentRun.risk_score,
            AssessmentRun.finished_at,
            rank,
        )
        .join(Service, Service.id == AssessmentRun.service_id)
        .where(AssessmentRun.status == AssessmentStatus.SUCCEEDED, _visible(principal, Service.client_id))
        .subquery()
    )
    query = select(
        ranked.c.service_id, ranked.c.id, ranked.c.risk_grade, ranked.c.risk_score, ranked.c.finished_at
    ).where(ranked.c.rank == 1)
    return {row[0]: Risk(row[1], row[2], row[3], row[4]) for row in session.execute(query)}


def _groups(session: Session, principal: Principal) -> dict[int, ClientGroup]:
    clients = select(Client.id, Client.name, Client.status_page).where(_visible(principal, Client.id))
    return {
        row[0]: ClientGroup(id=row[0], name=row[1], status_page=StatusPageAccess(row[2]))
        for row in session.execute(clients.order_by(Client.name, Client.id))
    }


def estate_overview(
    session: Session, *, principal: Principal, now: datetime, cache: WindowCache | None = None
) -> Overview:
    """The overview of every client and service `principal` sees, as of `now` (`cache`: see
    `window_cache`)."""
    groups = _groups(session, principal)
    services = session.execute(
        select(Service.id, Service.client_id, Service.name, Service.environment)
        .where(_visible(principal, Service.client_id))
        .order_by(Service.name, Service.environment, Service.id)
    ).all()
    rows = monitor_rows(session, _visible(principal, Service.client_id))  # first: see window_cache
    states = service_states(rows)
    incidents = open_incident_counts(session, principal)
    risks = latest_risks(session, principal)
    pairs = [(row[0], row[1]) for row in services]
    figures = window_figures(session, services=pairs, now=now, cache=cache, seen=seen_by_service(rows))
    for service_id, client_id, name, environment in services:
        state, monitors = states.get(service_id, ("unknown", 0))
        groups[client_id].services.append(
            ServiceRow(
                id=service_id,
                name=name,
                environment=environment,
                state=state,
                monitors=monitors,
                figure=figures.get(service_id),
                incidents=incidents.get(service_id, {}),
                risk=risks.get(service_id),
            )
        )
    return Overview(now=now, clients=list(groups.values()))
