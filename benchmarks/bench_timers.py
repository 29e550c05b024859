"""One timer tick over 10,000 open incidents, SQLite and PostgreSQL.

    python benchmarks/bench_timers.py [--incidents 10000] [--runs 5] [--database sqlite|postgresql]

Seeds N open incidents (P1–P4 in turn, on services under one SLA with a business calendar and a
subscribed channel), then times, in-process:

- a quiet tick: `tick_timers` + `run_escalations` + `sync_monitor_incidents` when no timer crosses
  a threshold (what almost every tick is);
- a warning storm: every incident's response timer crosses 75 % in the same tick (event,
  notification per channel, state change for each);
- a breach storm: every response timer falls due in the same tick (plus a `Breach` fact each).

Target: a tick over 10,000 open incidents in < 1 s.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from _server import database, parse_arguments
from pysteward.server.estate.models import Service
from pysteward.server.incidents.escalation import run_escalations
from pysteward.server.incidents.models import Incident, IncidentSource, IncidentStatus, TimerState
from pysteward.server.incidents.tasks import sync_monitor_incidents, tick_timers
from pysteward.server.notify.models import Channel
from pysteward.server.slas.models import AccountingPolicy, BusinessCalendar, Priority, Sla
from pysteward.server.tenancy.models import Client
from pysteward.store import make_engine, make_session_factory

TARGET_SECONDS = 1.0
T0 = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)  # a Monday
PRIORITIES = list(Priority)
OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def seed(session: Session, count: int) -> None:
    """`count` triggered incidents opened at T0 on 100 services of one client under one SLA."""
    client = Client(name="Bench", created_at=T0)
    session.add(client)
    session.flush()
    calendar = BusinessCalendar(
        client_id=client.id, name="office", timezone="Europe/Paris", weekly_hours=OFFICE
    )
    session.add(calendar)
    session.flush()
    sla = Sla(client_id=client.id, name="Gold", target=99.9, timezone="Europe/Paris", calendar_id=calendar.id)
    session.add(sla)
    session.flush()
    session.add(AccountingPolicy(sla_id=sla.id, version=1))
    session.add(Channel(client_id=client.id, name="ops", url="json://hooks.invalid/bench"))
    services = [Service(client_id=client.id, name=f"service {n}") for n in range(100)]
    session.add_all(services)
    session.flush()
    rows = [
        {
            "client_id": client.id,
            "service_id": services[n % 100].id,
            "sla_id": sla.id,
            "title": f"incident {n}",
            "description": "",
            "priority": PRIORITIES[n % 4],
            "status": IncidentStatus.TRIGGERED,
            "source": IncidentSource.API,
            "opened_at": T0,
            "updated_at": T0,
            "response_state": TimerState.RUNNING,
            "response_warn_at": T0 + timedelta(hours=10),
            "response_due_at": T0 + timedelta(hours=20),
            "resolution_state": TimerState.RUNNING,
            "resolution_warn_at": T0 + timedelta(days=30),
            "resolution_due_at": T0 + timedelta(days=40),
            "escalations_fired": 0,
        }
        for n in range(count)
    ]
    session.execute(insert(Incident), rows)
    session.commit()


def _timed(work: object) -> float:
    start = time.perf_counter()
    assert callable(work)
    work()
    return time.perf_counter() - start


def quiet_tick(session: Session, now: datetime) -> None:
    """What the runner does every few seconds when nothing crosses a threshold."""
    sync_monitor_incidents(session, now=now)
    tick_timers(session, now=now)
    run_escalations(session, now=now)


def run(kind: str, *, incidents: int, runs: int) -> dict[str, float]:
    """Median seconds of each scenario."""
    with database(kind) as url:
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        with sessions() as session:
            seed(session, incidents)
        quiet = []
        for n in range(runs):
            with sessions() as session:
                quiet.append(_timed(lambda s=session, n=n: quiet_tick(s, T0 + timedelta(minutes=n))))
        storms: dict[str, list[float]] = {"warning storm": [], "breach storm": []}
        for _ in range(runs):
            with sessions() as session:
                reset = {Incident.response_state: TimerState.RUNNING}
                session.execute(update(Incident).values(reset))
                session.commit()
                storms["warning storm"].append(
                    _timed(lambda s=session: tick_timers(s, now=T0 + timedelta(hours=11)))
                )
            with sessions() as session:
                storms["breach storm"].append(
                    _timed(lambda s=session: tick_timers(s, now=T0 + timedelta(hours=21)))
                )
        engine.dispose()
    return {
        "quiet tick": statistics.median(quiet),
        **{name: statistics.median(times) for name, times in storms.items()},
    }


def main() -> None:
    args = parse_arguments(__doc__ or "", incidents=10000, runs=5)
    kinds: list[str] = args.database
    print(
        f"timer tick over {args.incidents:,} open incidents, median of {args.runs} runs"
        f" (target < {TARGET_SECONDS:g} s)"
    )
    for kind in kinds:
        figures = run(kind, incidents=int(args.incidents), runs=int(args.runs))
        for name, seconds in figures.items():
            met = "yes" if seconds < TARGET_SECONDS else "NO"
            print(f"  {kind:<10} {name:<14} {seconds * 1000:8.1f} ms   target met: {met}")


if __name__ == "__main__":
    main()
