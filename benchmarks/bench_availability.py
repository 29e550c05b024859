"""Availability of 1,000 services over 13 months of per-minute history, SQLite and PostgreSQL.

    python benchmarks/bench_availability.py [--services 1000] [--months 13] [--changes 2.5] [--runs 3]
                                            [--database sqlite|postgresql]

Seeds one client with `services` services, one monitor each, checked every minute for `months`
calendar months. Steward stores a state interval per change of state, not per check, so the history
is drawn as a seeded random walk at minute resolution with `changes` state changes per service per
day on average (2.5 gives about a million intervals over 13 months): up stretches broken by short
DOWN outages, some DEGRADED and MAINTENANCE time, and gaps of no data (unknown). One client-wide
SLA covers every service, with a weekly recurring maintenance window and the default policy.

Times, in-process and median of `runs`:

- `figures_for_periods` over the 13 monthly periods (what a yearly report or a backfill asks for):
  one load of every interval, 13,000 service figures;
- `sla_figures` for the latest month alone (what `GET /slas/{id}/availability` computes).

Target: the 13-month figure in < 5 s.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from _server import database, parse_arguments
from pysteward.server.estate.models import Service
from pysteward.server.monitors.models import Monitor, MonitorKind, State, StateInterval
from pysteward.server.slas.figures import figures_for_periods, sla_figures
from pysteward.server.slas.models import AccountingPolicy, MaintenanceKind, MaintenanceWindow, Sla, WindowKind
from pysteward.server.slas.periods import Period, periods_between
from pysteward.server.tenancy.models import Client
from pysteward.store import make_engine, make_session_factory

TARGET_SECONDS = 5.0
END = datetime(2026, 11, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)
# What interrupts an up stretch, and how often: mostly short outages, some degradation and maintenance,
# and gaps with no data at all (None: no interval is stored, so the time is unknown).
_EVENTS = (State.DOWN, State.DEGRADED, State.MAINTENANCE, None)
_WEIGHTS = (0.55, 0.25, 0.07, 0.13)
_EVENT_MINUTES = 20
_BATCH = 20_000


def _start(months: int) -> datetime:
    year, month = divmod(END.year * 12 + END.month - 1 - months, 12)
    return END.replace(year=year, month=month + 1)


def _walk(
    rng: random.Random, monitor_id: int, start: datetime, changes_per_day: float
) -> list[dict[str, object]]:
    """One monitor's intervals from `start` to END at minute resolution: up, then an event of about
    20 minutes, then up again, with `changes_per_day` changes of state a day on average (an up stretch
    and the event after it are two). The last interval stays open."""
    up_minutes = 2 * 24 * 60 / changes_per_day - _EVENT_MINUTES
    rows: list[dict[str, object]] = []
    at, up = start, True
    while at < END:
        state = State.UP if up else rng.choices(_EVENTS, _WEIGHTS)[0]
        minutes = max(1, round(rng.expovariate(1 / (up_minutes if up else _EVENT_MINUTES))))
        until = min(at + minutes * _MINUTE, END)
        if state is not None:
            rows.append({"monitor_id": monitor_id, "state": state, "started_at": at, "ended_at": until})
        at, up = until, not up
    if rows:
        rows[-1]["ended_at"] = None
    return rows


def seed(engine: Engine, *, services: int, months: int, changes_per_day: float) -> tuple[int, int]:
    """The estate and its history; answers (the SLA's id, the number of intervals stored)."""
    start = _start(months)
    rng = random.Random(20261101)
    with Session(engine) as session:
        client = Client(name="Bench", created_at=start)
        session.add(client)
        session.flush()
        rows = [
            Service(client_id=client.id, name=f"service-{n:04d}", created_at=start) for n in range(services)
        ]
        session.add_all(rows)
        session.flush()
        monitors = [
            Monitor(
                service_id=service.id,
                name="https",
                kind=MonitorKind.HTTP,
                config={"url": "http://bench.invalid/health"},
                interval_seconds=60,
                incident_priority=None,
                created_at=start,
                state_since=start,
                next_run_at=END,
            )
            for service in rows
        ]
        session.add_all(monitors)
        sla = Sla(client_id=client.id, name="Gold", target=99.9, window=WindowKind.MONTH, starts_at=start)
        session.add(sla)
        session.flush()
        session.add(AccountingPolicy(sla_id=sla.id, version=1, effective_from=start))
        session.add(
            MaintenanceWindow(
                sla_id=sla.id,
                title="Sunday patching",
                kind=MaintenanceKind.RRULE,
                expression="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0",
                timezone="Europe/Paris",
                duration_minutes=60,
                starts_at=start,
            )
        )
        session.commit()
        monitor_ids, sla_id = [monitor.id for monitor in monitors], sla.id
    stored = 0
    with engine.begin() as connection:
        pending: list[dict[str, object]] = []
        for monitor_id in monitor_ids:
            pending.extend(_walk(rng, monitor_id, start, changes_per_day))
            if len(pending) >= _BATCH:
                connection.execute(insert(StateInterval), pending)
                stored, pending = stored + len(pending), []
        if pending:
            connection.execute(insert(StateInterval), pending)
            stored += len(pending)
    return sla_id, stored


def _median_seconds(work: object, runs: int) -> float:
    assert callable(work)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure(url: str, sla_id: int, months: int, runs: int) -> tuple[float, float, int]:
    """Median seconds for every month at once and for the latest month, and the figures computed."""
    sessions = make_session_factory(make_engine(url))
    with sessions() as session:
        sla = session.get_one(Sla, sla_id)
        periods: list[Period] = periods_between(
            sla.window, _start(months), END, sla.timezone, anchor=sla.starts_at
        )
        counted = sum(
            len(figures) for figures in figures_for_periods(session, sla=sla, periods=periods, now=END)
        )

    def every_month() -> None:
        with sessions() as session:
            figures_for_periods(session, sla=session.get_one(Sla, sla_id), periods=periods, now=END)

    def latest_month() -> None:
        with sessions() as session:
            sla_figures(session, sla=session.get_one(Sla, sla_id), period=periods[-1], now=END)

    return _median_seconds(every_month, runs), _median_seconds(latest_month, runs), counted


def main() -> None:
    args = parse_arguments(__doc__ or "", services=1000, months=13, changes=2.5, runs=3)
    print(
        f"availability of {args.services:,} services over {args.months} months, median of {args.runs} runs"
        f" (target < {TARGET_SECONDS:g} s)"
    )
    for kind in args.database:
        with database(kind) as url:
            engine = make_engine(url)
            began = time.perf_counter()
            sla_id, stored = seed(
                engine, services=args.services, months=args.months, changes_per_day=args.changes
            )
            engine.dispose()
            print(f"  {kind:<10} seeded {stored:,} intervals in {time.perf_counter() - began:.0f} s")
            every, latest, counted = measure(url, sla_id, args.months, args.runs)
        met = "yes" if every < TARGET_SECONDS else "NO"
        print(f"  {kind:<10} {args.months} months, {counted:,} figures {every:8.2f} s   target met: {met}")
        print(f"  {kind:<10} latest month          {latest:8.2f} s")


if __name__ == "__main__":
    main()
