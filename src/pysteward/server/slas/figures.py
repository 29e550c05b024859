"""Availability and error budgets from the store: state intervals in, `ServiceFigure`s out.

    load_timelines        one streamed query: every interval of the services' monitors in a window
    maintenance_spans     an SLA's maintenance occurrences in a window, merged
    figures_for_periods   many periods of one SLA from one load (the reports' and close's bulk path)
    sla_figures           one period; a closed period's stored figures win, with their policy
    availability_report   the API's answer for `GET /slas/{id}/availability?period=…`

Intervals are read as plain column tuples, never ORM objects, and sliced per period by bisection, so a
year of per-minute history of a thousand services costs one pass over the rows.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    BigInteger,
    ClauseElement,
    ColumnElement,
    String,
    cast,
    extract,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from pysteward.server.errors import ApiError
from pysteward.server.estate.models import Service
from pysteward.server.monitors.models import Monitor, State, StateInterval
from pysteward.server.principal import Principal
from pysteward.server.slas import maintenance
from pysteward.server.slas.accounting import Availability, Policy, Stored, availability_of, epoch_micros
from pysteward.server.slas.budget import ErrorBudget, error_budget
from pysteward.server.slas.models import AccountingPolicy, MaintenanceWindow, PeriodFigure, Sla
from pysteward.server.slas.periods import Period, PeriodError, parse_period
from pysteward.server.slas.schemas import (
    AvailabilityPublic,
    BudgetPublic,
    FigurePublic,
    OutagePublic,
    PeriodPublic,
)
from pysteward.server.slas.service import get_sla_for, maintenance_spec, policy_value

__all__ = [
    "ServiceFigure",
    "Timeline",
    "availability_report",
    "covered_services",
    "driver_batches",
    "epoch_micros_column",
    "figure_json",
    "figures_for_periods",
    "in_effect",
    "load_timelines",
    "maintenance_spans",
    "sla_figures",
]

_CHUNK = 5000  # service ids per query, well under every engine's bound-parameter limit
_BATCH = 20_000  # rows per fetch from a server-side cursor
_FAR = 2**63  # later than any stored end
_start = itemgetter(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceFigure:
    """One service's availability and error budget over one period, and the policy behind them."""

    service_id: int
    service_name: str
    availability: Availability
    budget: ErrorBudget
    policy_id: int
    policy_version: int
    policy_description: str
    policy_formula: str
    stored: bool
    """True when read from a closed period's frozen `PeriodFigure`."""


def epoch_micros_column(session: Session, column: Any) -> ColumnElement[int]:
    """`column` as integer microseconds since the UTC epoch, computed by the database.

    A year of a thousand services is over a million intervals: parsing two timestamps per row in
    Python costs more than the accounting itself. SQLite stores `YYYY-MM-DD HH:MM:SS.ffffff` in UTC
    (whole seconds from `strftime('%s')`, the six digits after the dot); PostgreSQL's epoch is exact."""
    if session.get_bind().dialect.name == "sqlite":
        text_value = type_coerce(column, String)
        seconds = cast(func.strftime("%s", text_value), BigInteger)
        return seconds * 1_000_000 + cast(func.substr(text_value, 21, 6), BigInteger)
    return cast(extract("epoch", column) * 1_000_000, BigInteger)


def driver_batches(connection: Connection, query: ClauseElement) -> Iterator[Sequence[Any]]:
    """`query`'s rows as the database driver returns them, in batches.

    Compiled by SQLAlchemy (its bound values through their types' bind processors, as SQLAlchemy
    would send them) and run on the same DBAPI connection, so the transaction is the caller's. For a
    million intervals, building SQLAlchemy `Row`s would cost about a second more than the tuples."""
    dialect = connection.dialect
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    assert isinstance(compiled, SQLCompiler)  # a SELECT compiles to SQL
    values = {}
    for name, value in compiled.params.items():
        bind = compiled.binds.get(name)
        processor = None if bind is None else bind.type.bind_processor(dialect)
        values[name] = value if processor is None else processor(value)
    positions = compiled.positiontup or []
    params = [values[name] for name in positions] if compiled.positional else values
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        while batch := cursor.fetchmany(_BATCH):
            yield batch
    finally:
        cursor.close()


def load_timelines(
    session: Session, *, service_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, list[list[Stored]]]:
    """Each service's monitors' spans overlapping `[start, end)`, oldest first, one list per monitor
    (in monitor id order); a service with no monitor or no interval there maps to `[]`.

    Spans come as stored (epoch microseconds); one streamed Core query per 5,000 services, plain
    columns only, unordered (each monitor's list is sorted here: far cheaper than a sort in SQL)."""
    wanted = sorted(set(service_ids))
    found: dict[int, dict[int, list[Stored]]] = {service_id: {} for service_id in wanted}
    started = epoch_micros_column(session, StateInterval.started_at)
    ended = epoch_micros_column(session, StateInterval.ended_at)
    states = {state.value: state for state in State}
    connection = session.connection()  # the session's own transaction
    for offset in range(0, len(wanted), _CHUNK):
        query = (
            select(
                Monitor.service_id,
                StateInterval.monitor_id,
                type_coerce(StateInterval.state, String),
                started,
                ended,
            )
            .join(Monitor, Monitor.id == StateInterval.monitor_id)
            .where(
                Monitor.service_id.in_(wanted[offset : offset + _CHUNK]),
                StateInterval.started_at < end,
                or_(StateInterval.ended_at.is_(None), StateInterval.ended_at > start),
            )
        )
        last_monitor, spans = None, []
        for batch in driver_batches(connection, query):
            for service_id, monitor_id, state, a, b in batch:
                if monitor_id != last_monitor:
                    spans = found[service_id].setdefault(monitor_id, [])
                    last_monitor = monitor_id
                spans.append((a, b, states[state]))
    for monitors in found.values():
        for spans in monitors.values():
            spans.sort(key=_start)
    return {service_id: [found[service_id][m] for m in sorted(found[service_id])] for service_id in wanted}


def maintenance_spans(
    session: Session, *, sla: Sla, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The SLA's maintenance occurrences within `[start, end)`, in UTC, merged."""
    windows = session.scalars(select(MaintenanceWindow).where(MaintenanceWindow.sla_id == sla.id))
    spans: list[tuple[datetime, datetime]] = []
    for window in windows:
        spans.extend(maintenance.occurrences(maintenance_spec(window), start, end))
    return list(maintenance.merge(spans))


def covered_services(session: Session, sla: Sla) -> list[tuple[int, str]]:
    """`(id, name)` of the services `sla` covers: its own, or (client-wide) every service of the client
    without an SLA of its own."""
    query = select(Service.id, Service.name).order_by(Service.id)
    if sla.service_id is not None:
        query = query.where(Service.id == sla.service_id)
    else:
        own = select(Sla.id).where(Sla.service_id == Service.id).exists()
        query = query.where(Service.client_id == sla.client_id, ~own)
    return [(row[0], row[1]) for row in session.execute(query)]


class Timeline:
    """A monitor's stored spans with their bounds indexed, to cut out any window by bisection."""

    __slots__ = ("ends", "spans", "starts")

    def __init__(self, spans: list[Stored]) -> None:
        self.spans = spans
        self.starts = [span[0] for span in spans]
        self.ends = [_FAR if span[1] is None else span[1] for span in spans]

    def within(self, start: datetime, end: datetime) -> list[Stored]:
        """The spans overlapping `[start, end)` (spans of one monitor never overlap each other)."""
        return self.spans[
            bisect_right(self.ends, epoch_micros(start)) : bisect_left(self.starts, epoch_micros(end))
        ]


def in_effect(versions: Sequence[AccountingPolicy], at: datetime) -> AccountingPolicy:
    """The latest version effective at `at`, else the first (as `service.policy_for`)."""
    chosen = versions[0]
    for version in versions:
        if version.effective_from <= at:
            chosen = version
    return chosen


def figure_json(figure: Availability) -> dict[str, Any]:
    """What a `PeriodFigure` stores: every count, the percentage as a decimal string, the outages."""
    return {
        "start": figure.start.isoformat(),
        "end": figure.end.isoformat(),
        "target": str(figure.target),
        "window_seconds": figure.window_seconds,
        "measured_seconds": figure.measured_seconds,
        "up_seconds": figure.up_seconds,
        "down_seconds": figure.down_seconds,
        "degraded_seconds": figure.degraded_seconds,
        "unknown_seconds": figure.unknown_seconds,
        "maintenance_seconds": figure.maintenance_seconds,
        "excluded_seconds": figure.excluded_seconds,
        "percent": None if figure.percent is None else str(figure.percent),
        "met": figure.met,
        "outages": [[start.isoformat(), end.isoformat()] for start, end in figure.outages],
    }


def _from_json(data: dict[str, Any], policy: Policy) -> Availability:
    return Availability(
        start=datetime.fromisoformat(data["start"]),
        end=datetime.fromisoformat(data["end"]),
        policy=policy,
        target=Decimal(data["target"]),
        window_seconds=data["window_seconds"],
        up_seconds=data["up_seconds"],
        down_seconds=data["down_seconds"],
        degraded_seconds=data["degraded_seconds"],
        unknown_seconds=data["unknown_seconds"],
        maintenance_seconds=data["maintenance_seconds"],
        excluded_seconds=data["excluded_seconds"],
        percent=None if data["percent"] is None else Decimal(data["percent"]),
        met=data["met"],
        outages=tuple((datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in data["outages"]),
    )


def _figure(
    service: tuple[int, str], figure: Availability, row: AccountingPolicy, period: Period, stored: bool
) -> ServiceFigure:
    return ServiceFigure(
        service_id=service[0],
        service_name=service[1],
        availability=figure,
        budget=error_budget(figure, period_seconds=period.seconds),
        policy_id=row.id,
        policy_version=row.version,
        policy_description=figure.policy.describe(),
        policy_formula=figure.policy.formula(),
        stored=stored,
    )


def _stored(
    session: Session, sla: Sla, starts: list[datetime]
) -> dict[tuple[int, datetime], tuple[dict[str, Any], int]]:
    query = select(
        PeriodFigure.service_id, PeriodFigure.period_start, PeriodFigure.figures, PeriodFigure.policy_id
    )
    rows = session.execute(query.where(PeriodFigure.sla_id == sla.id, PeriodFigure.period_start.in_(starts)))
    return {(row[0], row[1]): (row[2], row[3]) for row in rows}


def figures_for_periods(
    session: Session, *, sla: Sla, periods: Sequence[Period], now: datetime
) -> list[list[ServiceFigure]]:
    """Every covered service's figure for each of `periods` (same order), loading intervals once.

    A period with a stored figure answers with it and the policy version it was stored with; any
    other is measured over `[start, min(end, now))` (from the SLA's start at the earliest) with the
    version in effect at that moment, its budget counted over the whole period."""
    if not periods:
        return []
    services = covered_services(session, sla)
    versions = list(
        session.scalars(
            select(AccountingPolicy)
            .where(AccountingPolicy.sla_id == sla.id)
            .order_by(AccountingPolicy.version)
        )
    )
    by_id = {version.id: version for version in versions}
    stored = _stored(session, sla, [period.start for period in periods])
    low = max(min(period.start for period in periods), sla.starts_at)
    high = max(low, min(max(period.end for period in periods), now))
    loaded = load_timelines(session, service_ids=[s[0] for s in services], start=low, end=high)
    timelines = {
        service_id: [Timeline(spans) for spans in monitors] for service_id, monitors in loaded.items()
    }
    planned = maintenance_spans(session, sla=sla, start=low, end=high)
    target = Decimal(str(sla.target))
    answer: list[list[ServiceFigure]] = []
    for period in periods:
        start = max(period.start, sla.starts_at)
        end = max(start, min(period.end, now))
        current = in_effect(versions, end)
        policy = policy_value(current)
        excluded = [(a, b) for a, b in planned if a < end and b > start]
        figures = []
        for service in services:
            kept = stored.get((service[0], period.start))
            if kept is not None:
                row = by_id[kept[1]]
                figure = _from_json(kept[0], policy_value(row))
                figures.append(_figure(service, figure, row, period, stored=True))
                continue
            cut = [timeline.within(start, end) for timeline in timelines[service[0]]]
            figure = availability_of(
                cut, start=start, end=end, policy=policy, target=target, maintenance=excluded
            )
            figures.append(_figure(service, figure, current, period, stored=False))
        answer.append(figures)
    return answer


def sla_figures(session: Session, *, sla: Sla, period: Period, now: datetime) -> list[ServiceFigure]:
    """Every covered service's figure for one period (see `figures_for_periods`)."""
    return figures_for_periods(session, sla=sla, periods=[period], now=now)[0]


def _public(figure: ServiceFigure) -> FigurePublic:
    a, budget = figure.availability, figure.budget
    return FigurePublic(
        service_id=figure.service_id,
        service_name=figure.service_name,
        stored=figure.stored,
        percent=a.percent,
        target=a.target,
        met=a.met,
        window_seconds=a.window_seconds,
        measured_seconds=a.measured_seconds,
        up_seconds=a.up_seconds,
        down_seconds=a.down_seconds,
        degraded_seconds=a.degraded_seconds,
        unknown_seconds=a.unknown_seconds,
        maintenance_seconds=a.maintenance_seconds,
        excluded_seconds=a.excluded_seconds,
        outages=[OutagePublic(start=start, end=end) for start, end in a.outages],
        budget=BudgetPublic(
            allowed_seconds=budget.allowed_seconds,
            used_seconds=budget.used_seconds,
            remaining_seconds=budget.remaining_seconds,
            remaining_percent=budget.remaining_percent,
        ),
        policy_version=figure.policy_version,
        policy=figure.policy_description,
        formula=figure.policy_formula,
    )


def availability_report(
    session: Session, *, principal: Principal, sla_id: int, period: str, now: datetime
) -> AvailabilityPublic:
    """The figures of every service `sla_id` covers over `period` (`current`, `previous`, `2026-11`,
    `2026-W47`, `2026-Q4`, …, read in the SLA's window kind and time zone); 422 for a bad period."""
    sla = get_sla_for(session, principal, sla_id)
    try:
        chosen = parse_period(sla.window, period, sla.timezone, anchor=sla.starts_at, now=now)
    except PeriodError as e:
        raise ApiError(422, f"query.{e}") from None
    figures = sla_figures(session, sla=sla, period=chosen, now=now)
    return AvailabilityPublic(
        sla_id=sla.id,
        period=PeriodPublic(label=chosen.label, start=chosen.start, end=chosen.end),
        measured_until=min(chosen.end, now),
        figures=[_public(figure) for figure in figures],
    )
