"""The monitoring evidence of a pack (CA-7, CC7.2): each monitor's checks and time in each state, every
state interval, and each SLA-covered service's availability under its accounting policy.

Monitors are measured over the period up to `Scope.until`; time a monitor has no interval for is
unknown. Check counts come from the hourly rollups (kept 400 days by default), the states from the
intervals (kept for good).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pysteward.server.monitors.models import Monitor, Rollup, State, StateInterval
from pysteward.server.reports.evidence_controls import Cell, Dataset, Scope, iso, seconds_between
from pysteward.server.slas.figures import sla_figures
from pysteward.server.slas.models import Sla

__all__ = ["availability", "monitor_datasets"]

_HOUR = 3600
Row = dict[str, Cell]


class _Span(NamedTuple):
    """One state interval, as plain columns, with its seconds inside the measured period."""

    monitor_id: int
    state: State
    started_at: datetime
    ended_at: datetime | None
    seconds: float


def _intervals(session: Session, scope: Scope, monitor_ids: list[int]) -> list[_Span]:
    """The monitors' intervals overlapping the period, read as columns (a month of a flapping estate is
    many rows: ORM objects would cost several times more)."""
    query = (
        select(
            StateInterval.monitor_id, StateInterval.state, StateInterval.started_at, StateInterval.ended_at
        )
        .where(
            StateInterval.monitor_id.in_(monitor_ids),
            StateInterval.started_at < scope.until,
            or_(StateInterval.ended_at.is_(None), StateInterval.ended_at > scope.period.start),
        )
        .order_by(StateInterval.monitor_id, StateInterval.started_at, StateInterval.id)
    )
    start, until = scope.period.start, scope.until
    return [
        _Span(
            monitor_id,
            state,
            started,
            ended,
            seconds_between(max(started, start), min(ended or until, until)),
        )
        for monitor_id, state, started, ended in (session.execute(query) if monitor_ids else ())
    ]


def _checks(session: Session, scope: Scope, monitor_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Checks and failed checks per monitor, from the hourly rollups of the period."""
    query = (
        select(Rollup.monitor_id, func.sum(Rollup.checks), func.sum(Rollup.failures))
        .where(
            Rollup.monitor_id.in_(monitor_ids),
            Rollup.period == _HOUR,
            Rollup.bucket_start >= scope.period.start,
            Rollup.bucket_start < scope.until,
        )
        .group_by(Rollup.monitor_id)
    )
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in session.execute(query)}


def _monitor_row(monitor: Monitor, scope: Scope, spans: list[_Span], checks: tuple[int, int]) -> Row:
    seconds = dict.fromkeys(State, 0.0)
    for span in spans:
        seconds[span.state] += span.seconds
    window = seconds_between(scope.period.start, scope.until)
    known = sum(seconds[state] for state in State if state is not State.UNKNOWN)
    return {
        "monitor_id": monitor.id,
        "monitor": monitor.name,
        "service_id": monitor.service_id,
        "service": scope.service_name(monitor.service_id),
        "environment": scope.services[monitor.service_id][1],
        "kind": monitor.kind.value,
        "interval_seconds": monitor.interval_seconds,
        "enabled": monitor.enabled,
        "created_at": iso(monitor.created_at),
        "checks": checks[0],
        "failed_checks": checks[1],
        "up_seconds": seconds[State.UP],
        "degraded_seconds": seconds[State.DEGRADED],
        "down_seconds": seconds[State.DOWN],
        "maintenance_seconds": seconds[State.MAINTENANCE],
        "unknown_seconds": max(0.0, window - known),
        "state_changes": sum(1 for span in spans if span.started_at >= scope.period.start),
    }


def _state_row(span: _Span, monitor: Monitor, scope: Scope) -> Row:
    return {
        "monitor_id": monitor.id,
        "monitor": monitor.name,
        "service": scope.service_name(monitor.service_id),
        "state": span.state.value,
        "started_at": iso(span.started_at),
        "ended_at": iso(span.ended_at),
        "seconds_in_period": span.seconds,
    }


MONITOR_COLUMNS = (
    "monitor_id", "monitor", "service_id", "service", "environment", "kind", "interval_seconds", "enabled",
    "created_at", "checks", "failed_checks", "up_seconds", "degraded_seconds", "down_seconds",
    "maintenance_seconds", "unknown_seconds", "state_changes",
)  # fmt: skip
STATE_COLUMNS = ("monitor_id", "monitor", "service", "state", "started_at", "ended_at", "seconds_in_period")


def monitor_datasets(session: Session, scope: Scope) -> list[Dataset]:
    """`monitors` (each monitor that existed in the period, its checks and seconds per state) and
    `monitor_states` (every state interval overlapping the period)."""
    query = (
        select(Monitor)
        .where(Monitor.service_id.in_(list(scope.services)), Monitor.created_at < scope.until)
        .order_by(Monitor.service_id, Monitor.id)
    )
    monitors = list(session.scalars(query)) if scope.services else []
    ids = [monitor.id for monitor in monitors]
    by_monitor: dict[int, list[_Span]] = defaultdict(list)
    intervals = _intervals(session, scope, ids)
    for interval in intervals:
        by_monitor[interval.monitor_id].append(interval)
    checks = _checks(session, scope, ids) if ids else {}
    named = {monitor.id: monitor for monitor in monitors}
    return [
        Dataset(
            "monitors",
            "Monitors of the client's services in the period: checks (from hourly counts) and seconds in each"
            " state up to the period's end or the pack's generation; time without data counts as unknown.",
            MONITOR_COLUMNS,
            tuple(_monitor_row(m, scope, by_monitor[m.id], checks.get(m.id, (0, 0))) for m in monitors),
        ),
        Dataset(
            "monitor_states",
            "Every span of one state (up, degraded, down, maintenance, unknown) a monitor was in during the"
            " period; an empty end means the span is still open.",
            STATE_COLUMNS,
            tuple(_state_row(i, named[i.monitor_id], scope) for i in intervals),
        ),
    ]


AVAILABILITY_COLUMNS = (
    "sla_id", "sla", "service_id", "service", "target_percent", "availability_percent", "met",
    "measured_seconds", "up_seconds", "down_seconds", "degraded_seconds", "maintenance_seconds",
    "unknown_seconds", "excluded_seconds", "budget_allowed_seconds", "budget_used_seconds",
    "budget_remaining_seconds", "policy_version", "policy", "formula", "frozen",
)  # fmt: skip


def availability(session: Session, scope: Scope) -> Dataset:
    """`availability`: each SLA-covered service's figure over the period, with its accounting policy."""
    query = select(Sla).where(Sla.client_id == scope.client_id, Sla.starts_at < scope.until).order_by(Sla.id)
    rows: list[Row] = []
    for sla in session.scalars(query):
        for figure in sla_figures(session, sla=sla, period=scope.period, now=scope.now):
            a, budget = figure.availability, figure.budget
            rows.append(
                {
                    "sla_id": sla.id,
                    "sla": sla.name,
                    "service_id": figure.service_id,
                    "service": figure.service_name,
                    "target_percent": str(a.target),
                    "availability_percent": None if a.percent is None else str(a.percent),
                    "met": a.met,
                    "measured_seconds": a.measured_seconds,
                    "up_seconds": a.up_seconds,
                    "down_seconds": a.down_seconds,
                    "degraded_seconds": a.degraded_seconds,
                    "maintenance_seconds": a.maintenance_seconds,
                    "unknown_seconds": a.unknown_seconds,
                    "excluded_seconds": a.excluded_seconds,
                    "budget_allowed_seconds": budget.allowed_seconds,
                    "budget_used_seconds": budget.used_seconds,
                    "budget_remaining_seconds": budget.remaining_seconds,
                    "policy_version": figure.policy_version,
                    "policy": figure.policy_description,
                    "formula": figure.policy_formula,
                    "frozen": figure.stored,
                }
            )
    return Dataset(
        "availability",
        "Availability and error budget of each service an SLA covers, counted under the accounting policy"
        " named on the row (frozen: the figure stored when the period closed).",
        AVAILABILITY_COLUMNS,
        tuple(rows),
    )
