"""A monthly SLA report (HTML and PDF) for a client with 100 services, SQLite and PostgreSQL.

    python benchmarks/bench_report.py [--services 100] [--outages 4.0] [--incidents 30] [--runs 3]
                                      [--database sqlite|postgresql]

Seeds one client (reports cut in Europe/Paris) with `services` services, each with one monitor, under
a client-wide 99.9 % monthly SLA with a weekly maintenance window. October and November 2026 of state
intervals are drawn at minute resolution from a seeded random walk: up, broken by about `outages` DOWN
spans a month per service (1 to 40 minutes, each with the check result that confirmed it), some
degraded time and gaps of no data. `incidents` incidents in November, acknowledged and resolved, some
paused, some late (with their breaches); two assessment runs per service (October and November).

Times `reports.service.generate_report` for November, in-process: gathering the data, rendering the
HTML and the PDF (WeasyPrint), hashing and archiving a new version. One unmeasured run first (it
imports WeasyPrint and loads the fonts), then the median of `runs`; the parts of the last run, the
pages and the size of the PDF are printed too.

Target: < 10 s.
"""

from __future__ import annotations

import io
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pypdf import PdfReader
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from _server import database, parse_arguments
from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.incidents.models import (
    Breach,
    Incident,
    IncidentPause,
    IncidentSource,
    IncidentStatus,
    TimerState,
)
from pysteward.server.monitors.models import CheckResult, Monitor, MonitorKind, State, StateInterval
from pysteward.server.reports import service as reports
from pysteward.server.reports.data import gather, parse_report_period
from pysteward.server.reports.models import ReportKind
from pysteward.server.reports.render import render_html, render_pdf
from pysteward.server.slas.models import AccountingPolicy, MaintenanceKind, MaintenanceWindow, Priority, Sla
from pysteward.server.tenancy.models import Client
from pysteward.store import make_engine, make_session_factory

TARGET_SECONDS = 10.0
TIMEZONE = "Europe/Paris"
START = datetime(2026, 9, 30, 22, tzinfo=UTC)  # 1 October, Paris
END = datetime(2026, 11, 30, 23, tzinfo=UTC)  # 1 December, Paris
NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)
_MESSAGES = (
    "HTTP 503 Service Unavailable",
    "connection refused",
    "timed out after 10 s",
    "TLS handshake failed",
)


def _walk(
    rng: random.Random, monitor_id: int, outages: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One monitor's intervals from START to END, and a check result at the start of each DOWN span."""
    minutes_between = 30 * 24 * 60 / max(outages, 0.1)
    intervals: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    at = START
    while at < END:
        up = min(at + _MINUTE * max(1, round(rng.expovariate(1 / minutes_between))), END)
        intervals.append({"monitor_id": monitor_id, "state": State.UP, "started_at": at, "ended_at": up})
        if up >= END:
            break
        state = rng.choices((State.DOWN, State.DEGRADED, None), (0.8, 0.1, 0.1))[0]
        until = min(up + _MINUTE * rng.randint(1, 40), END)
        if state is not None:  # None: a gap of no data
            intervals.append({"monitor_id": monitor_id, "state": state, "started_at": up, "ended_at": until})
        if state is State.DOWN:
            message = rng.choice(_MESSAGES)
            results.append(
                {"monitor_id": monitor_id, "checked_at": up, "state": State.DOWN, "message": message}
            )
        at = until
    intervals[-1]["ended_at"] = None
    return intervals, results


def _estate(session: Session, services: int) -> tuple[int, list[int], list[int]]:
    client = Client(name="Bench Client", report_timezone=TIMEZONE, created_at=START)
    session.add(client)
    session.flush()
    rows = [Service(client_id=client.id, name=f"service-{n:03d}", created_at=START) for n in range(services)]
    session.add_all(rows)
    session.flush()
    monitors = [
        Monitor(
            service_id=s.id, name="https", kind=MonitorKind.HTTP, config={"url": "https://bench.invalid/"}
        )
        for s in rows
    ]
    session.add_all(monitors)
    sla = Sla(client_id=client.id, name="Gold", target=99.9, timezone=TIMEZONE, starts_at=START)
    session.add(sla)
    session.flush()
    session.add(AccountingPolicy(sla_id=sla.id, version=1, effective_from=START))
    session.add(
        MaintenanceWindow(
            sla_id=sla.id, title="Sunday patching", kind=MaintenanceKind.RRULE, starts_at=START,
            expression="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0", duration_minutes=60, timezone=TIMEZONE,
        )
    )  # fmt: skip
    session.commit()
    return client.id, [s.id for s in rows], [m.id for m in monitors]


def _incidents(
    session: Session, rng: random.Random, client_id: int, service_ids: list[int], count: int
) -> None:
    november = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(count):
        opened = november + timedelta(minutes=rng.randint(0, 28 * 24 * 60))
        late = n % 5 == 0
        answered = opened + timedelta(minutes=90 if late else rng.randint(2, 14))
        incident = Incident(
            client_id=client_id, service_id=rng.choice(service_ids), title=f"Outage {n}",
            priority=rng.choice(list(Priority)), status=IncidentStatus.RESOLVED,
            source=IncidentSource.MONITOR, opened_at=opened, acknowledged_at=answered,
            resolved_at=answered + timedelta(hours=2), updated_at=answered,
            response_due_at=opened + timedelta(hours=1),
            response_state=TimerState.MISSED if late else TimerState.MET, resolution_state=TimerState.MET,
        )  # fmt: skip
        session.add(incident)
        session.flush()
        if late:
            session.add(
                Breach(
                    incident_id=incident.id, client_id=client_id, priority=incident.priority,
                    target="response", due_at=opened + timedelta(hours=1), breached_at=answered,
                )
            )  # fmt: skip
        if n % 4 == 0:
            session.add(
                IncidentPause(incident_id=incident.id, started_at=answered, ended_at=answered + _MINUTE * 30)
            )
    session.commit()


def _assessments(session: Session, rng: random.Random, service_ids: list[int]) -> None:
    for service_id in service_ids:
        for started in (datetime(2026, 10, 10, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC)):
            critical = rng.choice((0, 0, 0, 1, 2))
            eol = [{"version": "3.8", "eol": "2024-10-07"}] if rng.random() < 0.2 else []
            summary = {"critical_vulnerabilities": critical, "vulnerabilities": critical + rng.randint(0, 5),
                       "license_issues": rng.choice((0, 0, 1)), "eol_runtimes": eol}  # fmt: skip
            session.add(
                AssessmentRun(
                    service_id=service_id, repository_path="/srv/app", status=AssessmentStatus.SUCCEEDED,
                    started_at=started, risk_grade="B" if critical else "A", summary=summary,
                )
            )  # fmt: skip
    session.commit()


def seed(engine: Engine, *, services: int, outages: float, incidents: int) -> tuple[int, int, int]:
    """The estate and its history; answers (the client's id, intervals stored, outages drawn)."""
    rng = random.Random(20261201)
    with Session(engine) as session:
        client_id, service_ids, monitor_ids = _estate(session, services)
        _incidents(session, rng, client_id, service_ids, incidents)
        _assessments(session, rng, service_ids)
    intervals = downs = 0
    with engine.begin() as connection:
        for monitor_id in monitor_ids:
            rows, results = _walk(rng, monitor_id, outages)
            connection.execute(insert(StateInterval), rows)
            if results:
                connection.execute(insert(CheckResult), results)
            intervals, downs = intervals + len(rows), downs + len(results)
    return client_id, intervals, downs


def _parts(url: str, client_id: int) -> tuple[float, float, float, int, int, int]:
    """Seconds to gather, render the HTML, render the PDF; the PDF's pages and bytes; downtime rows."""
    sessions = make_session_factory(make_engine(url))
    period = parse_report_period(ReportKind.MONTHLY, "2026-11", TIMEZONE, now=NOW)
    with sessions() as session:
        began = time.perf_counter()
        data = gather(
            session,
            client=session.get_one(Client, client_id),
            kind=ReportKind.MONTHLY,
            period=period,
            now=NOW,
        )
        gathered = time.perf_counter()
        html = render_html(data, version=1)
        rendered = time.perf_counter()
        pdf = render_pdf(html)
        done = time.perf_counter()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return gathered - began, rendered - gathered, done - rendered, pages, len(pdf), len(data.outages)


def measure(url: str, client_id: int, runs: int) -> tuple[float, float, list[float], float]:
    """The first (cold) run, the median of `runs` more, each of them, and the median CPU time of this
    process over them (wall time on a busy machine says more about the machine), in seconds."""
    sessions = make_session_factory(make_engine(url))
    period = parse_report_period(ReportKind.MONTHLY, "2026-11", TIMEZONE, now=NOW)

    cpu: list[float] = []

    def once() -> float:
        with sessions() as session:
            began, used = time.perf_counter(), time.process_time()
            reports.generate_report(
                session, client_id=client_id, kind=ReportKind.MONTHLY, period=period, now=NOW, actor_id=None
            )
            cpu.append(time.process_time() - used)
            return time.perf_counter() - began

    cold = once()
    times = [once() for _ in range(runs)]
    return cold, statistics.median(times), times, statistics.median(cpu[1:])


def main() -> None:
    args = parse_arguments(__doc__ or "", services=100, outages=4.0, incidents=30, runs=3)
    print(
        f"monthly report of a client with {args.services} services, median of {args.runs} runs"
        f" (target < {TARGET_SECONDS:g} s)"
    )
    for kind in args.database:
        with database(kind) as url:
            engine = make_engine(url)
            began = time.perf_counter()
            client_id, intervals, downs = seed(
                engine, services=args.services, outages=args.outages, incidents=args.incidents
            )
            engine.dispose()
            took = time.perf_counter() - began
            print(f"  {kind:<10} seeded {intervals:,} intervals, {downs:,} outages in {took:.1f} s")
            cold, median, times, cpu = measure(url, client_id, args.runs)
            gathered, html, pdf, pages, size, rows = _parts(url, client_id)
        met = "yes" if median < TARGET_SECONDS else "NO"
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"  {kind:<10} generate_report {median:8.2f} s   target met: {met}")
        print(f"  {kind:<10} runs {runs} s (CPU {cpu:.2f} s); the first (cold) run {cold:.2f} s")
        print(
            f"  {kind:<10} parts: gather {gathered:.2f} s, HTML {html:.2f} s, PDF {pdf:.2f} s;"
            f" {pages} pages, {size / 1e3:.0f} kB, {rows} downtime rows"
        )


if __name__ == "__main__":
    main()
