"""The estate overview with 1,000 services and 10,000 monitors, SQLite and PostgreSQL.

    python benchmarks/bench_overview.py [--clients 20] [--services 1000] [--monitors 10]
                                        [--changes 0.2] [--runs 5] [--database sqlite|postgresql]

Seeds `clients` clients sharing `services` services, `monitors` monitors each (10,000 by default), with
a month of state intervals up to the last evening of November 2026 (the worst moment of a monthly
window: a whole month so far): a seeded random walk at minute resolution with `changes` state changes
per monitor per day on average (up stretches broken by short DOWN, DEGRADED and MAINTENANCE spells
and gaps without data). Each client has a client-wide monthly SLA (every other one in Europe/Paris,
every fourth with a weekly maintenance window); every tenth service its own weekly SLA. About 300
incidents are open (and 2,000 resolved), and four services in five have three assessment runs.

Times, in-process, median of `runs` after one unmeasured warm-up:

- `GET /overview` as an engineer through the application (`TestClient`; the server time from the
  request's arrival in the application to its last byte: session, queries, template), the server's
  clock set to the seeded moment;
- the same page for a client viewer (one client's portal);
- the staff overview again, each time 30 s later and after 100 monitors went down meanwhile (a busy
  estate: their services' recent intervals are read again);
- `estate_overview` and `window_figures` (its availability part) alone, each call without the
  application's kept window figures (a cold start: every window measured from its beginning).

Each line gives the median wall time, the fastest run, and the median CPU time of this process (on
SQLite, the database works in this process too, so CPU time is the server time a busy machine's other
work cannot inflate).

Target: the staff overview in < 300 ms.
"""

from __future__ import annotations

import random
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.orm import Session

from _server import database, parse_arguments
from pysteward.server.app import create_app
from pysteward.server.estate import views as estate_views
from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.estate.overview import estate_overview
from pysteward.server.estate.window_figures import window_figures
from pysteward.server.incidents.models import Incident, IncidentSource, IncidentStatus, TimerState
from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.models import Monitor, MonitorKind, State, StateInterval
from pysteward.server.monitors.results import NewResult, record_results
from pysteward.server.principal import Principal
from pysteward.server.settings import load_settings
from pysteward.server.slas.models import (
    AccountingPolicy,
    MaintenanceKind,
    MaintenanceWindow,
    Priority,
    PriorityTarget,
    Sla,
    WindowKind,
)
from pysteward.server.slas.service import DEFAULT_TARGETS
from pysteward.server.tenancy import service as tenancy
from pysteward.server.tenancy.models import Client, Role
from pysteward.store import make_engine, make_session_factory

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's TestClient warns about httpx on import
    from starlette.testclient import TestClient

TARGET_SECONDS = 0.3
NOW = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
HISTORY_START = datetime(2026, 10, 24, tzinfo=UTC)  # before every current window (weeks, Paris)
_MINUTE = timedelta(minutes=1)
_EVENTS = (State.DOWN, State.DEGRADED, State.MAINTENANCE, None)
_WEIGHTS = (0.55, 0.25, 0.07, 0.13)
_EVENT_MINUTES = 20
_BATCH = 20_000
PASSWORD = "bench password of some length"


def _walk(rng: random.Random, monitor_id: int, changes_per_day: float) -> list[dict[str, object]]:
    """One monitor's intervals from HISTORY_START to NOW: up, an event of about 20 minutes, up again,
    `changes_per_day` changes a day on average; the last interval stays open (see bench_availability)."""
    up_minutes = 2 * 24 * 60 / changes_per_day - _EVENT_MINUTES
    rows: list[dict[str, object]] = []
    at, up = HISTORY_START, True
    while at < NOW:
        state = State.UP if up else rng.choices(_EVENTS, _WEIGHTS)[0]
        minutes = max(1, round(rng.expovariate(1 / (up_minutes if up else _EVENT_MINUTES))))
        until = min(at + minutes * _MINUTE, NOW)
        if state is not None:
            rows.append({"monitor_id": monitor_id, "state": state, "started_at": at, "ended_at": until})
        at, up = until, not up
    if not rows or rows[-1]["ended_at"] != NOW:  # a gap at the end: the monitor came back up
        rows.append({"monitor_id": monitor_id, "state": State.UP, "started_at": at, "ended_at": NOW})
    rows[-1]["ended_at"] = None
    return rows


def _slas(session: Session, clients: list[int], services: list[tuple[int, int]]) -> None:
    """A monthly client-wide SLA per client and a weekly one for every tenth service."""
    scopes: list[tuple[int, int | None, int]] = [(client_id, None, n) for n, client_id in enumerate(clients)]
    scopes += [
        (client_id, service_id, n) for n, (service_id, client_id) in enumerate(services) if n % 10 == 0
    ]
    for client_id, service_id, n in scopes:
        sla = Sla(
            client_id=client_id,
            service_id=service_id,
            name="Silver" if service_id else "Gold",
            target=99.5 if service_id else 99.9,
            window=WindowKind.WEEK if service_id else WindowKind.MONTH,
            timezone="Europe/Paris" if n % 2 else "UTC",
            starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        session.add(sla)
        session.flush()
        session.add(AccountingPolicy(sla_id=sla.id, version=1, effective_from=sla.starts_at))
        for priority, targets in DEFAULT_TARGETS.items():
            session.add(PriorityTarget(sla_id=sla.id, priority=priority, **targets.model_dump()))
        if service_id is None and n % 4 == 0:
            session.add(
                MaintenanceWindow(
                    sla_id=sla.id,
                    title="Sunday patching",
                    kind=MaintenanceKind.RRULE,
                    expression="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0",
                    timezone="Europe/Paris",
                    duration_minutes=60,
                    starts_at=sla.starts_at,
                )
            )


def _incidents(rng: random.Random, services: list[tuple[int, int]]) -> list[dict[str, Any]]:
    rows = []
    for n in range(2300):
        service_id, client_id = services[rng.randrange(len(services))]
        opened = NOW - timedelta(minutes=rng.randrange(10, 60 * 24 * 30))
        resolved = n >= 300
        rows.append(
            {
                "client_id": client_id,
                "service_id": service_id,
                "title": f"incident {n}",
                "priority": list(Priority)[n % 4],
                "status": IncidentStatus.RESOLVED if resolved else IncidentStatus.TRIGGERED,
                "source": IncidentSource.MONITOR,
                "opened_at": opened,
                "resolved_at": opened + timedelta(minutes=47) if resolved else None,
                "updated_at": opened,
                "response_state": TimerState.NONE,
                "resolution_state": TimerState.NONE,
            }
        )
    return rows


def _runs(rng: random.Random, services: list[tuple[int, int]]) -> list[dict[str, Any]]:
    rows = []
    for n, (service_id, _client) in enumerate(services):
        if n % 5 == 4:
            continue
        for k in range(3):
            score = round(rng.uniform(0, 90), 1)
            rows.append(
                {
                    "service_id": service_id,
                    "repository_path": f"/srv/service-{n}",
                    "status": AssessmentStatus.FAILED
                    if k == 2 and n % 3 == 0
                    else AssessmentStatus.SUCCEEDED,
                    "started_at": NOW - timedelta(days=30 - 10 * k),
                    "finished_at": NOW - timedelta(days=30 - 10 * k) + timedelta(minutes=3),
                    "error": "",
                    "risk_score": score,
                    "risk_grade": "ABCDF"[min(int(score // 20), 4)],
                    "summary": {"findings": int(score)},
                    "findings": [],
                }
            )
    return rows


def seed(engine: Engine, *, clients: int, services: int, monitors: int, changes: float) -> int:
    """The estate; answers the number of state intervals stored."""
    rng = random.Random(20261130)
    with Session(engine) as session:
        client_rows = [Client(name=f"Client {n:02d}", created_at=HISTORY_START) for n in range(clients)]
        session.add_all(client_rows)
        session.flush()
        client_ids = [c.id for c in client_rows]
        service_rows = [
            Service(client_id=client_ids[n % clients], name=f"service-{n:04d}", created_at=HISTORY_START)
            for n in range(services)
        ]
        session.add_all(service_rows)
        session.flush()
        pairs = [(s.id, s.client_id) for s in service_rows]
        _slas(session, client_ids, pairs)
        tenancy.create_user(session, email="engineer@bench.invalid", password=PASSWORD, role=Role.ENGINEER,
                            client_id=None)  # fmt: skip
        tenancy.create_user(session, email="viewer@bench.invalid", password=PASSWORD, role=Role.VIEWER,
                            client_id=client_ids[0])  # fmt: skip
        session.commit()
    monitor_rows = [
        {
            "service_id": service_id,
            "name": f"check {m}",
            "kind": MonitorKind.HTTP,
            "config": {"url": f"https://service-{service_id}.bench.invalid/{m}"},
            "created_at": HISTORY_START,
            "next_run_at": NOW,
            "incident_priority": Priority.P2,
        }
        for service_id, _client in pairs
        for m in range(monitors)
    ]
    stored = 0
    with engine.begin() as connection:
        connection.execute(insert(Monitor), monitor_rows)
        ids = list(connection.scalars(select(Monitor.id).order_by(Monitor.id)))
        pending: list[dict[str, object]] = []
        last_states = {}
        for monitor_id in ids:
            walk = _walk(rng, monitor_id, changes)
            last_states[monitor_id] = (walk[-1]["state"], walk[-1]["started_at"])
            pending.extend(walk)
            if len(pending) >= _BATCH:
                connection.execute(insert(StateInterval), pending)
                stored, pending = stored + len(pending), []
        if pending:
            connection.execute(insert(StateInterval), pending)
            stored += len(pending)
        # Each monitor's row says what its open interval says, as the runner keeps it.
        current = [
            {"mid": m, "now_state": state, "since": since} for m, (state, since) in last_states.items()
        ]
        statement = (
            update(Monitor)
            .where(Monitor.id == bindparam("mid"))
            .values(state=bindparam("now_state"), state_since=bindparam("since"))
        )
        connection.execute(statement.execution_options(synchronize_session=False), current)
        connection.execute(insert(Incident), _incidents(rng, pairs))
        connection.execute(insert(AssessmentRun), _runs(rng, pairs))
    return stored


@dataclass(frozen=True, slots=True)
class Timing:
    """Median and fastest wall time of the runs, and the median CPU time of this process."""

    wall: float
    fastest: float
    cpu: float


class ServerClock:
    """The application wrapped to note each HTTP request's server time: wall and CPU seconds from the
    call to the last byte sent (the test client's own work is outside)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = (0.0, 0.0)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began, cpu = time.perf_counter(), time.process_time()
        await self.app(scope, receive, send)
        self.last = (time.perf_counter() - began, time.process_time() - cpu)


def _timed(work: Callable[[], object], runs: int, clock: ServerClock | None = None) -> Timing:
    work()  # warm-up: imports, template compilation, and the overview's kept window figures
    walls, cpus = [], []
    for _ in range(runs):
        began, cpu = time.perf_counter(), time.process_time()
        work()
        wall, used = (time.perf_counter() - began, time.process_time() - cpu) if clock is None else clock.last
        walls.append(wall)
        cpus.append(used)
    return Timing(statistics.median(walls), min(walls), statistics.median(cpus))


def _busy(url: str, client: TestClient, clock: ServerClock, runs: int) -> Timing:
    """The staff overview 30 s after the last one, 100 monitors having gone down meanwhile."""
    sessions = make_session_factory(make_engine(url))
    with sessions() as session:
        ids = list(session.scalars(select(Monitor.id).where(Monitor.state == State.UP)))
    rng = random.Random(7)
    client.cookies.clear()
    client.post("/api/v1/auth/login", json={"email": "engineer@bench.invalid", "password": PASSWORD})
    moments = [NOW + timedelta(seconds=30 * (n + 1)) for n in range(runs + 1)]

    def get() -> None:
        at = moments.pop(0)
        estate_views.utcnow = lambda: at  # type: ignore[attr-defined]
        down = CheckOutcome(state=State.DOWN, message="bench")
        with sessions() as session:
            chosen = rng.sample(ids, 100)
            record_results(
                session, [NewResult(monitor_id=m, checked_at=at, outcome=down) for m in chosen], now=at
            )
        response = client.get("/overview")
        assert response.status_code == 200, response.text[:300]

    return _timed(get, runs, clock)


def measure(url: str, runs: int) -> dict[str, Timing]:
    """Median seconds of each measured call (see the module docstring)."""
    settings = load_settings(database_url=url, secret_key="b" * 48, runner=False)
    app = create_app(settings, run_migrations=False)
    estate_views.utcnow = lambda: NOW  # type: ignore[attr-defined]  # the seeded moment
    results = {}
    clock = ServerClock(app)
    with TestClient(clock, base_url="https://testserver") as client:
        for name, email in (
            ("overview, staff", "engineer@bench.invalid"),
            ("portal, viewer", "viewer@bench.invalid"),
        ):
            client.cookies.clear()
            client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).raise_for_status()

            def get() -> None:
                response = client.get("/overview")
                assert response.status_code == 200, response.text[:300]

            results[name] = _timed(get, runs, clock)
        results["overview, 100 changed"] = _busy(url, client, clock, runs)
    sessions = make_session_factory(make_engine(url))
    staff = Principal(user_id=1, role=Role.ENGINEER, client_id=None, via="session")
    with sessions() as session:
        pairs = [(row[0], row[1]) for row in session.execute(select(Service.id, Service.client_id))]

    def data() -> None:
        with sessions() as session:
            estate_overview(session, principal=staff, now=NOW)

    def figures() -> None:
        with sessions() as session:
            window_figures(session, services=pairs, now=NOW)

    results["estate_overview(), cold"] = _timed(data, runs)
    results["window_figures(), cold"] = _timed(figures, runs)
    app.state.engine.dispose()
    return results


def main() -> None:
    args = parse_arguments(__doc__ or "", clients=20, services=1000, monitors=10, changes=0.2, runs=5)
    total = args.services * args.monitors
    print(
        f"estate overview: {args.services:,} services, {total:,} monitors, {args.changes:g} changes per"
        f" monitor per day, median of {args.runs} runs (target < {TARGET_SECONDS * 1000:g} ms)"
    )
    for kind in args.database:
        with database(kind) as url:
            engine = make_engine(url)
            began = time.perf_counter()
            stored = seed(
                engine,
                clients=args.clients,
                services=args.services,
                monitors=args.monitors,
                changes=args.changes,
            )
            engine.dispose()
            print(f"  {kind:<10} seeded {stored:,} intervals in {time.perf_counter() - began:.0f} s")
            results = measure(url, args.runs)
        for name, timing in results.items():
            met = ""
            if name == "overview, staff":
                met = "   target met: " + ("yes" if timing.wall < TARGET_SECONDS else "NO")
            print(
                f"  {kind:<10} {name:<26} {timing.wall * 1000:7.1f} ms (fastest {timing.fastest * 1000:6.1f},"
                f" CPU {timing.cpu * 1000:6.1f}){met}"
            )


if __name__ == "__main__":
    main()
