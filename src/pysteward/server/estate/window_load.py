"""Reading monitors and their state intervals for `window_figures`, as plain driver tuples.

monitor_rows    every monitor of the services a condition keeps: service, id, enabled, state,
                since when (the overview's states come from the same rows)
seen_by_service those rows as `window_cache.Seen`, per service
load_monitors   each service's monitors' spans overlapping a window, by monitor id; for a recent
                window, reading only the intervals needed (index seeks, however long the history)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    func,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from pysteward.server.estate.models import Service
from pysteward.server.estate.window_cache import Seen
from pysteward.server.monitors.models import Monitor, State, StateInterval
from pysteward.server.slas.accounting import Stored
from pysteward.server.slas.figures import driver_batches, epoch_micros_column

__all__ = ["MonitorRow", "load_monitors", "monitor_rows", "seen_by_service"]

_CHUNK = 5000
_start = itemgetter(0)
MonitorRow = tuple[int, int, bool, str, Any]
"""(service id, monitor id, enabled, state, state_since as the driver returns it)."""


def monitor_rows(session: Session, condition: ColumnElement[bool]) -> list[MonitorRow]:
    """The monitors of the services `condition` (on `Service`) keeps, in one streamed query."""
    query = (
        select(
            Monitor.service_id,
            Monitor.id,
            Monitor.enabled,
            type_coerce(Monitor.state, String),
            type_coerce(Monitor.state_since, String),
        )
        .join(Service, Service.id == Monitor.service_id)
        .where(condition)
    )
    return [
        (row[0], row[1], bool(row[2]), row[3], row[4])
        for batch in driver_batches(session.connection(), query)
        for row in batch
    ]


def seen_by_service(rows: Iterable[MonitorRow]) -> dict[int, Seen]:
    """Each service's monitor rows as `Seen` (id, state, since; by id)."""
    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for service_id, monitor_id, _enabled, state, since in rows:
        found[service_id].append((monitor_id, state, since))
    return {service_id: tuple(sorted(rows_)) for service_id, rows_ in found.items()}


def _columns(session: Session) -> tuple[Any, ...]:
    return (
        Monitor.service_id,
        StateInterval.monitor_id,
        type_coerce(StateInterval.state, String),
        epoch_micros_column(session, StateInterval.started_at),
        epoch_micros_column(session, StateInterval.ended_at),
    )


def _overlapping(session: Session, ids: Sequence[int], start: datetime, end: datetime) -> Select[Any]:
    """Every interval overlapping `[start, end)`: all of a monitor's history is read."""
    return (
        select(*_columns(session))
        .join(Monitor, Monitor.id == StateInterval.monitor_id)
        .where(
            Monitor.service_id.in_(ids),
            StateInterval.started_at < end,
            or_(StateInterval.ended_at.is_(None), StateInterval.ended_at > start),
        )
    )


def _recent(session: Session, ids: Sequence[int], start: datetime, end: datetime) -> CompoundSelect[Any]:
    """The same rows for a recent `start`, reading only them: those starting in `[start, end)`, and
    each monitor's latest interval starting before `start` if it is still running then (intervals of
    a monitor never overlap, so no earlier one can be)."""
    earlier = aliased(StateInterval)
    latest = (
        select(func.max(earlier.started_at))
        .where(earlier.monitor_id == Monitor.id, earlier.started_at < start)
        .scalar_subquery()
    )
    joined = select(*_columns(session)).join(Monitor, Monitor.id == StateInterval.monitor_id)
    since = joined.where(
        Monitor.service_id.in_(ids), StateInterval.started_at >= start, StateInterval.started_at < end
    )
    running = joined.where(
        Monitor.service_id.in_(ids),
        StateInterval.started_at == latest,
        or_(StateInterval.ended_at.is_(None), StateInterval.ended_at > start),
    )
    return union_all(since, running)


def load_monitors(
    session: Session, *, service_ids: Iterable[int], start: datetime, end: datetime, recent: bool = False
) -> dict[int, dict[int, list[Stored]]]:
    """Each service's monitors with intervals overlapping `[start, end)`, by monitor id, each with its
    spans oldest first (as `slas.figures.load_timelines`, which leaves the monitor ids out). With
    `recent`, only the intervals needed are read (for a `start` close to `end`)."""
    wanted = sorted(set(service_ids))
    found: dict[int, dict[int, list[Stored]]] = {service_id: {} for service_id in wanted}
    states = {state.value: state for state in State}
    for offset in range(0, len(wanted), _CHUNK):
        ids = wanted[offset : offset + _CHUNK]
        query = _recent(session, ids, start, end) if recent else _overlapping(session, ids, start, end)
        for batch in driver_batches(session.connection(), query):
            for service_id, monitor_id, state, a, b in batch:
                found[service_id].setdefault(monitor_id, []).append((a, b, states[state]))
    for monitors in found.values():
        for spans in monitors.values():
            spans.sort(key=_start)
    return found
