"""The availability part of a report: per SLA, each covered service's figure against its target with the
accounting policy it was counted by, the previous period's figure for the trend, the scheduled
maintenance excluded, and every span counted as downtime with what the monitors said about it.

Figures come from `slas.figures.figures_for_periods` whenever the report's period is the SLA's own
measuring window (same kind, same time zone): a closed period then answers with its frozen figure and
the policy version it was stored with, exactly as the SLA pages say. When the SLA measures another
window (a weekly SLA in a monthly report), the report's period is measured live with the same building
blocks and the policy version in effect at the period's end; stored figures of the SLA's own periods
cannot be used there, since they cover other spans of time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.monitors.models import CheckResult, Monitor, State, StateInterval
from pysteward.server.slas import maintenance
from pysteward.server.slas.accounting import availability_of
from pysteward.server.slas.budget import error_budget
from pysteward.server.slas.figures import (
    ServiceFigure,
    Timeline,
    covered_services,
    figures_for_periods,
    load_timelines,
    maintenance_spans,
)
from pysteward.server.slas.models import MaintenanceWindow, Sla, WindowKind
from pysteward.server.slas.periods import Period
from pysteward.server.slas.service import maintenance_spec, policy_for, policy_value

__all__ = [
    "MaintenanceLine",
    "Outage",
    "PolicyText",
    "ServiceLine",
    "SlaSection",
    "budget_left",
    "outages_with_causes",
    "sla_sections",
]


@dataclass(frozen=True, slots=True)
class PolicyText:
    """One accounting policy version as the report states it."""

    version: int
    description: str
    formula: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceLine:
    """One service's figure over the report's period, and over the previous period for the trend."""

    label: str
    figure: ServiceFigure
    previous: ServiceFigure | None

    @property
    def delta(self) -> Decimal | None:
        """This period's availability less the previous one's, in percentage points."""
        now = self.figure.availability.percent
        before = None if self.previous is None else self.previous.availability.percent
        return None if now is None or before is None else now - before


@dataclass(frozen=True, slots=True)
class MaintenanceLine:
    """One occurrence of a scheduled maintenance window within the period (excluded time)."""

    title: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SlaSection:
    """One SLA of the client: its target, policy versions, the services it covers, its maintenance."""

    sla_id: int
    name: str
    target: Decimal
    window: WindowKind
    timezone: str
    own_window: bool
    """The report's period is the SLA's own measuring window, so closed periods show stored figures."""
    policies: tuple[PolicyText, ...]
    services: tuple[ServiceLine, ...]
    maintenance: tuple[MaintenanceLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Outage:
    """A span counted as downtime for one service, and what its monitors reported then."""

    service_id: int
    label: str
    start: datetime
    end: datetime
    causes: tuple[str, ...]

    @property
    def seconds(self) -> float:
        """How long it lasted within the period."""
        return (self.end - self.start).total_seconds()


def _live_figures(
    session: Session, sla: Sla, periods: Sequence[Period], now: datetime
) -> list[list[ServiceFigure]]:
    """Each covered service's figure for each period, measured from the intervals (never stored ones),
    with the policy version in effect at each period's (measured) end."""
    services = covered_services(session, sla)
    low = max(min(period.start for period in periods), sla.starts_at)
    high = max(low, min(max(period.end for period in periods), now))
    loaded = load_timelines(session, service_ids=[s[0] for s in services], start=low, end=high)
    timelines = {key: [Timeline(spans) for spans in monitors] for key, monitors in loaded.items()}
    planned = maintenance_spans(session, sla=sla, start=low, end=high)
    target = Decimal(str(sla.target))
    answer = []
    for period in periods:
        start = max(period.start, sla.starts_at)
        end = max(start, min(period.end, now))
        row = policy_for(session, sla, end)
        policy = policy_value(row)
        excluded = [(a, b) for a, b in planned if a < end and b > start]
        figures = []
        for service_id, name in services:
            cut = [timeline.within(start, end) for timeline in timelines[service_id]]
            figure = availability_of(
                cut, start=start, end=end, policy=policy, target=target, maintenance=excluded
            )
            figures.append(
                ServiceFigure(
                    service_id=service_id,
                    service_name=name,
                    availability=figure,
                    budget=error_budget(figure, period_seconds=period.seconds),
                    policy_id=row.id,
                    policy_version=row.version,
                    policy_description=policy.describe(),
                    policy_formula=policy.formula(),
                    stored=False,
                )
            )
        answer.append(figures)
    return answer


def _maintenance(session: Session, sla: Sla, period: Period) -> tuple[MaintenanceLine, ...]:
    windows = session.scalars(select(MaintenanceWindow).where(MaintenanceWindow.sla_id == sla.id))
    lines = [
        MaintenanceLine(window.title, start, end)
        for window in windows
        for start, end in maintenance.occurrences(maintenance_spec(window), period.start, period.end)
    ]
    return tuple(sorted(lines, key=lambda line: (line.start, line.title)))


def _section(
    session: Session,
    sla: Sla,
    *,
    own: bool,
    periods: tuple[Period, Period],
    now: datetime,
    labels: dict[int, str],
) -> SlaSection:
    if own:
        previous, current = figures_for_periods(session, sla=sla, periods=list(periods), now=now)
    else:
        previous, current = _live_figures(session, sla, periods, now)
    before = {figure.service_id: figure for figure in previous}
    lines = sorted(
        (
            ServiceLine(
                label=labels.get(f.service_id, f.service_name), figure=f, previous=before.get(f.service_id)
            )
            for f in current
        ),
        key=lambda line: (line.label.lower(), line.figure.service_id),
    )
    policies = {
        f.policy_version: PolicyText(f.policy_version, f.policy_description, f.policy_formula)
        for f in current
    }
    return SlaSection(
        sla_id=sla.id,
        name=sla.name,
        target=Decimal(str(sla.target)),
        window=sla.window,
        timezone=sla.timezone,
        own_window=own,
        policies=tuple(policies[version] for version in sorted(policies)),
        services=tuple(lines),
        maintenance=_maintenance(session, sla, periods[1]),
    )


def sla_sections(
    session: Session,
    *,
    client_id: int,
    window: WindowKind,
    timezone: str,
    periods: tuple[Period, Period],
    now: datetime,
    labels: dict[int, str],
) -> list[SlaSection]:
    """One section per SLA of the client (oldest first) over `periods` (previous, current); `labels`
    names each service as the report shows it."""
    slas = session.scalars(select(Sla).where(Sla.client_id == client_id).order_by(Sla.id)).all()
    return [
        _section(
            session,
            sla,
            own=sla.window is window and sla.timezone == timezone,
            periods=periods,
            now=now,
            labels=labels,
        )
        for sla in slas
    ]


def _down_spans(
    session: Session, client_id: int, start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime | None, str, str]]]:
    """Each service's monitors' DOWN intervals overlapping [start, end): (start, end, monitor name, the
    message of the check that confirmed it, or "" once raw results were pruned)."""
    confirming = and_(
        CheckResult.monitor_id == StateInterval.monitor_id, CheckResult.checked_at == StateInterval.started_at
    )
    query = (
        select(
            Monitor.service_id,
            StateInterval.started_at,
            StateInterval.ended_at,
            Monitor.name,
            CheckResult.message,
        )
        .join(Monitor, Monitor.id == StateInterval.monitor_id)
        .join(Service, Service.id == Monitor.service_id)
        .outerjoin(CheckResult, confirming)
        .where(
            Service.client_id == client_id,
            StateInterval.state == State.DOWN,
            StateInterval.started_at < end,
            or_(StateInterval.ended_at.is_(None), StateInterval.ended_at > start),
        )
        .order_by(StateInterval.started_at)
    )
    spans: dict[int, list[tuple[datetime, datetime | None, str, str]]] = {}
    for service_id, began, ended, name, message in session.execute(query):
        spans.setdefault(service_id, []).append((began, ended, name, message or ""))
    return spans


def _causes(
    spans: Sequence[tuple[datetime, datetime | None, str, str]], start: datetime, end: datetime, version: int
) -> tuple[str, ...]:
    found: list[str] = []
    for began, ended, name, message in spans:
        if began < end and (ended is None or ended > start):
            cause = f"{name}: {message}" if message else f"{name}: down"
            if cause not in found:
                found.append(cause)
    if not found:
        found.append(f"no monitor was down: no data or degraded time counted as down (policy v{version})")
    return tuple(found)


def outages_with_causes(
    session: Session, *, client_id: int, sections: Sequence[SlaSection], period: Period
) -> list[Outage]:
    """Every span counted as downtime in the period, oldest first, with its causes: what the service's
    monitors that were DOWN then last reported (their confirming check's message)."""
    down = _down_spans(session, client_id, period.start, period.end)
    outages = [
        Outage(
            service_id=line.figure.service_id,
            label=line.label,
            start=start,
            end=end,
            causes=_causes(down.get(line.figure.service_id, ()), start, end, line.figure.policy_version),
        )
        for section in sections
        for line in section.services
        for start, end in line.figure.availability.outages
    ]
    return sorted(outages, key=lambda outage: (outage.start, outage.label))


def budget_left(figure: ServiceFigure) -> tuple[tuple[datetime, float], ...]:
    """The error budget left (percent of the whole period's budget) over the measured window: 100 at its
    start, falling through each outage; empty when the target allows no downtime at all."""
    allowed = figure.budget.allowed_seconds
    if allowed <= 0:
        return ()
    availability = figure.availability
    points = [(availability.start, 100.0)]
    used = 0.0
    for start, end in availability.outages:
        points.append((start, 100.0 * (allowed - used) / allowed))
        used += (end - start).total_seconds()
        points.append((end, 100.0 * (allowed - used) / allowed))
    points.append((availability.end, 100.0 * (allowed - used) / allowed))
    return tuple(points)
