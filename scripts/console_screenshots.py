"""Screenshots of the console's estate overview, a service page and the incidents queue.

    .venv/bin/python scripts/console_screenshots.py [OUT_DIR]     (default: docs/screenshots)

Builds a made-up estate that looks like a real one (three clients, a month of monitor history with a
few outages, response times, SLAs, incidents in every state, assessments) in a throwaway SQLite
database, serves the console on 127.0.0.1, signs in as an engineer in Debian's Chromium and saves
full-page screenshots 1280 px wide: console-overview.png, console-service.png, console-incidents.png.
Nothing leaves the machine.
"""

from __future__ import annotations

import math
import random
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import sync_playwright
from sqlalchemy import insert
from sqlalchemy.orm import Session

from pysteward.server.app import create_app
from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.incidents.models import Incident, IncidentSource, TimerState
from pysteward.server.incidents.service import acknowledge, close, open_incident, pause
from pysteward.server.monitors.models import CheckResult, Monitor, MonitorKind, State, StateInterval
from pysteward.server.principal import Principal
from pysteward.server.settings import load_settings
from pysteward.server.slas.models import AccountingPolicy, Priority, PriorityTarget, Sla
from pysteward.server.slas.service import DEFAULT_TARGETS
from pysteward.server.tenancy import service as tenancy
from pysteward.server.tenancy.models import Client, Role, StatusPageAccess

EMAIL, PASSWORD = "dana.engineer@provider.invalid", "screenshots only, never a real password"
ESTATE = {
    ("Acme Retail", StatusPageAccess.PUBLIC, 99.9): {
        "storefront": ["Home page", "Product search", "Basket"],
        "checkout-api": ["Checkout API", "Payments callback", "Orders database"],
        "payments-gateway": ["Gateway health", "Card tokenizer"],
        "nightly-export": ["Export heartbeat"],
    },
    ("Globex Health", StatusPageAccess.LINK, 99.95): {
        "patient-portal": ["Login page", "Appointments", "Records API"],
        "records-sync": ["Sync heartbeat", "HL7 bridge"],
    },
    ("Initech Logistics", StatusPageAccess.OFF, 99.5): {
        "fleet-tracker": ["Tracker API", "Map tiles"],
        "warehouse-api": ["Stock API", "Label printer bridge"],
        "billing": ["Invoices", "Ledger export"],
    },
}
OUTAGES = {  # (service, monitor index): [(days ago, minutes, state)]
    ("checkout-api", 0): [(6.2, 38, State.DOWN), (1.4, 12, State.DEGRADED), (0.003, 0, State.DOWN)],
    ("checkout-api", 2): [(6.2, 41, State.DOWN)],
    ("storefront", 1): [(3.5, 95, State.DEGRADED), (12.0, 20, State.DOWN)],
    ("patient-portal", 2): [(2.1, 17, State.DOWN), (9.3, 240, State.MAINTENANCE)],
    ("fleet-tracker", 1): [(0.6, 300, State.DEGRADED)],
    ("billing", 0): [(4.0, 150, State.DOWN)],
    ("records-sync", 0): [(0.3, 0, State.DOWN)],
}
FINDINGS = [
    (
        "critical",
        "vulnerabilities",
        "GHSA-2026-xq7r: SQL injection in django's QuerySet.order_by",
        "django 4.2.9",
        "Upgrade django to 4.2.21",
    ),
    (
        "high",
        "runtime",
        "Python 3.9 reaches its end of life in 2025-10",
        "python 3.9.18",
        "Move to Python 3.12",
    ),
    (
        "high",
        "vulnerabilities",
        "PYSEC-2025-61: request smuggling in gunicorn",
        "gunicorn 21.2.0",
        "Upgrade gunicorn to 23.0.0",
    ),
    (
        "medium",
        "sast",
        "B602: subprocess call with shell=True",
        "checkout/tasks.py:88",
        "Pass a list, no shell",
    ),
    (
        "medium",
        "health",
        "python-jose has had no release for 3 years",
        "python-jose 3.3.0",
        "Consider joserfc or pyjwt",
    ),
    ("low", "licenses", "LGPL-3.0 component in a proprietary service", "chardet 5.2.0", None),
    ("info", "hygiene", "Dependencies pinned without hashes", "requirements.txt", "Use --generate-hashes"),
]


def _spans(
    key: tuple[str, int], start: datetime, now: datetime
) -> list[tuple[datetime, datetime | None, State]]:
    spans: list[tuple[datetime, datetime | None, State]] = []
    at = start
    for days, minutes, state in sorted(OUTAGES.get(key, []), reverse=True):
        begin = now - timedelta(days=days)
        spans.append((at, begin, State.UP))
        end = begin + timedelta(minutes=minutes) if minutes else None
        spans.append((begin, end, state))
        at = end or now
    if at < now:
        spans.append((at, None, State.UP))
    return spans


def _latencies(rng: random.Random, monitor_id: int, base: float, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for n in range(24 * 12):
        at = now - timedelta(minutes=5 * n)
        daily = 1 + 0.45 * math.sin((at.hour + at.minute / 60 - 8) / 24 * 2 * math.pi)
        latency = base * daily * rng.uniform(0.85, 1.2) + (base * 3 if rng.random() < 0.02 else 0)
        rows.append(
            {
                "monitor_id": monitor_id,
                "checked_at": at,
                "state": State.UP,
                "latency_ms": round(latency, 1),
                "message": "200 OK",
                "details": {},
            }
        )
    return rows


def _sla(
    session: Session, client_id: int, target: float, start: datetime, service_id: int | None = None
) -> None:
    sla = Sla(
        client_id=client_id,
        service_id=service_id,
        name="Premium" if service_id else "Standard",
        target=target,
        timezone="Europe/Paris",
        starts_at=start,
        created_at=start,
    )
    session.add(sla)
    session.flush()
    session.add(AccountingPolicy(sla_id=sla.id, version=1, effective_from=start))
    for priority, targets in DEFAULT_TARGETS.items():
        session.add(PriorityTarget(sla_id=sla.id, priority=priority, **targets.model_dump()))


def seed(session: Session, now: datetime) -> dict[str, int]:
    """The made-up estate; the ids of the service and incident shown."""
    rng = random.Random(6)  # noqa: S311 - made-up latencies, not secrets
    start = now - timedelta(days=40)
    services: dict[str, Service] = {}
    for (name, access, target), monitors in ESTATE.items():
        client = Client(name=name, status_page=access, created_at=start)
        session.add(client)
        session.flush()
        _sla(session, client.id, target, start - timedelta(days=200))
        for service_name, monitor_names in monitors.items():
            env = "staging" if service_name == "records-sync" else "production"
            service = Service(client_id=client.id, name=service_name, environment=env, created_at=start)
            session.add(service)
            session.flush()
            services[service_name] = service
            for index, monitor_name in enumerate(monitor_names):
                spans = _spans((service_name, index), start, now)
                kind = MonitorKind.HEARTBEAT if "heartbeat" in monitor_name.lower() else MonitorKind.HTTP
                monitor = Monitor(
                    service_id=service.id,
                    name=monitor_name,
                    kind=kind,
                    interval_seconds=60,
                    config={"url": f"https://{service_name}.example.invalid/"},
                    state=spans[-1][2],
                    state_since=spans[-1][0],
                    last_checked_at=now - timedelta(seconds=rng.randrange(5, 55)),
                    incident_priority=Priority.P2,
                    created_at=start,
                )
                session.add(monitor)
                session.flush()
                for a, b, state in spans:
                    session.add(StateInterval(monitor_id=monitor.id, state=state, started_at=a, ended_at=b))
                if kind is MonitorKind.HTTP:
                    session.execute(
                        insert(CheckResult), _latencies(rng, monitor.id, rng.uniform(60, 420), now)
                    )
    _sla(session, services["payments-gateway"].client_id, 99.99, start, services["payments-gateway"].id)
    session.commit()
    _assessments(session, services, now)
    return {"service": services["checkout-api"].id, **_incidents(session, services, now)}


def _assessments(session: Session, services: dict[str, Service], now: datetime) -> None:
    grades = {
        "checkout-api": ("D", 47.5),
        "storefront": ("B", 14.2),
        "patient-portal": ("C", 31.0),
        "payments-gateway": ("A", 3.1),
        "fleet-tracker": ("F", 72.4),
        "billing": ("B", 9.8),
    }
    for name, (grade, score) in grades.items():
        findings = [
            {
                "key": str(n),
                "kind": kind,
                "severity": sev,
                "title": title,
                "subject": subject,
                "detail": "",
                "fix": fix,
            }
            for n, (sev, kind, title, subject, fix) in enumerate(FINDINGS)
        ]
        session.add(
            AssessmentRun(
                service_id=services[name].id,
                repository_path=f"/srv/{name}",
                status=AssessmentStatus.SUCCEEDED,
                started_at=now - timedelta(days=1, hours=3),
                finished_at=now - timedelta(days=1, hours=3) + timedelta(minutes=2),
                risk_grade=grade,
                risk_score=score,
                summary={"findings": len(findings)},
                findings=findings if grade in "CDF" else findings[3:],
            )
        )
    session.commit()


def _incidents(session: Session, services: dict[str, Service], now: datetime) -> dict[str, int]:
    staff = Principal(user_id=1, role=Role.ENGINEER, client_id=None, via="session")

    def opened(service: str, title: str, priority: Priority, ago: timedelta) -> int:
        row = services[service]
        incident = open_incident(
            session,
            client_id=row.client_id,
            service_id=row.id,
            priority=priority,
            title=title,
            source=IncidentSource.MONITOR,
            now=now - ago,
            opened_at=now - ago,
        )
        session.commit()
        return incident.id

    fresh = opened("checkout-api", "Checkout API answers 502", Priority.P1, timedelta(minutes=4))
    warm = opened("fleet-tracker", "Map tiles slow (p95 over 2 s)", Priority.P2, timedelta(minutes=48))
    late = opened("records-sync", "Sync heartbeat missed", Priority.P2, timedelta(hours=7))
    session.get_one(Incident, late).response_state = TimerState.BREACHED
    session.commit()
    taken = opened("patient-portal", "Records API timeouts", Priority.P2, timedelta(minutes=50))
    acknowledge(session, principal=staff, incident_id=taken, now=now - timedelta(minutes=41))
    waiting = opened("billing", "Ledger export rejected by the bank", Priority.P3, timedelta(hours=26))
    acknowledge(session, principal=staff, incident_id=waiting, now=now - timedelta(hours=25))
    pause(
        session,
        principal=staff,
        incident_id=waiting,
        reason="Waiting for the bank's new certificate",
        now=now - timedelta(hours=20),
    )
    for service, title, days in (
        ("storefront", "Product search degraded", 3.5),
        ("checkout-api", "Orders database failover", 6.2),
    ):
        old = opened(service, title, Priority.P2, timedelta(days=days))
        recovered = now - timedelta(days=days) + timedelta(minutes=45)
        close(session, session.get_one(Incident, old), now=recovered, actor_id=None, message="recovered")
        session.commit()
    return {"incident": fresh, "warm": warm}


def _serve(app: Any) -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as work:
        settings = load_settings(
            database_url=f"sqlite:///{work}/steward.sqlite3",
            secret_key="s" * 48,
            runner=False,
            cookie_secure=False,
            host="127.0.0.1",
        )
        app = create_app(settings)
        with app.state.sessions() as session:
            tenancy.create_user(session, email=EMAIL, password=PASSWORD, role=Role.ENGINEER, client_id=None)
            ids = seed(session, now)
        server, url = _serve(app)
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 800}, base_url=url)
                page.goto("/login")
                page.get_by_label("E-mail").fill(EMAIL)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url("**/overview")
                for name, path in (
                    ("overview", "/overview"),
                    ("service", f"/services/{ids['service']}"),
                    ("incidents", "/incidents"),
                ):
                    page.goto(path)
                    page.wait_for_timeout(1200)  # the timers' first ticks
                    page.screenshot(path=str(out / f"console-{name}.png"), full_page=True)
                    print(out / f"console-{name}.png")
                browser.close()
        finally:
            server.should_exit = True
            app.state.engine.dispose()


if __name__ == "__main__":
    main()
