"""A client with a status page worth looking at, on a frozen clock.

    NOW            2030-03-15 12:00 UTC (a Friday)
    services       "shop": one monitor, up since day 1 (day 0 has no data); 10 min down on day 10
                   (minor), 60 min down on day 20 (major); day 5 is one whole maintenance window
                   "api": one monitor, down now;  "legacy": no monitor at all (no data)
    SLA            client-wide, policy v1 (defaults), a one-off maintenance over day 5, an upcoming one
                   in two days, and a weekly cron window (Sundays 02:00, 1 h)
    incidents      open: "Checkout is slow" with an internal and a public comment, assigned to the
                   engineer; one a monitor opened (its title names the monitor), resolved a day ago;
                   resolved 3 days ago with a public update; resolved 20 days ago (too old)
    globex         an incident of another client, never shown

`day(n)` is the UTC midnight starting the n-th of the 90 days (day 89 is today).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.incidents import service as incidents
from pysteward.server.incidents.models import IncidentSource
from pysteward.server.monitors.models import Monitor, MonitorKind, State, StateInterval
from pysteward.server.principal import Principal
from pysteward.server.slas.models import AccountingPolicy, MaintenanceKind, MaintenanceWindow, Priority, Sla
from pysteward.server.tenancy.models import Client, Role, StatusPageAccess
from tests.server.conftest import Personas

NOW = datetime(2030, 3, 15, 12, 0, tzinfo=UTC)
TODAY = date(2030, 3, 15)
FIRST_DAY = TODAY - timedelta(days=89)
INTERNAL_NOTE = "Internal: ask the DBA to restart replica db-7 via the bastion"
PUBLIC_NOTE = "We are investigating slow checkouts and will update within 30 minutes."
RESOLVED_NOTE = "The payment provider fixed the fault; payments work again."
SECRET_DESCRIPTION = "Root cause suspected in replica lag; runbook RB-12"
MONITOR_NAME = "shop-http-probe-internal"


def day(n: int) -> datetime:
    """UTC midnight of the n-th day of the 90 (0 is the oldest, 89 today)."""
    return datetime.combine(FIRST_DAY + timedelta(days=n), datetime.min.time(), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class World:
    """Ids of what `build` made."""

    client_id: int
    shop: int
    api: int
    legacy: int


def _monitor(session: Session, service_id: int, state: State) -> Monitor:
    monitor = Monitor(
        service_id=service_id,
        name=MONITOR_NAME if state is State.UP else f"{MONITOR_NAME}-2",
        kind=MonitorKind.HTTP,
        config={"url": "http://shop.invalid/"},
        state=state,
        state_since=day(1),
    )
    session.add(monitor)
    session.flush()
    return monitor


def _intervals(
    session: Session, monitor_id: int, spans: list[tuple[datetime, datetime | None, State]]
) -> None:
    session.add_all(
        StateInterval(monitor_id=monitor_id, state=state, started_at=start, ended_at=end)
        for start, end, state in spans
    )


def _shop_history(session: Session, monitor_id: int) -> None:
    minor = day(10) + timedelta(hours=12)
    major = day(20) + timedelta(hours=8)
    _intervals(
        session,
        monitor_id,
        [
            (day(1), minor, State.UP),
            (minor, minor + timedelta(minutes=10), State.DOWN),
            (minor + timedelta(minutes=10), major, State.UP),
            (major, major + timedelta(hours=1), State.DOWN),
            (major + timedelta(hours=1), None, State.UP),
        ],
    )


def _sla(session: Session, client_id: int) -> None:
    sla = Sla(client_id=client_id, service_id=None, name="Gold", target=99.9, starts_at=day(0))
    session.add(sla)
    session.flush()
    session.add(AccountingPolicy(sla_id=sla.id, version=1, effective_from=day(0)))
    session.add_all(
        [
            MaintenanceWindow(
                sla_id=sla.id,
                title="Database upgrade",
                kind=MaintenanceKind.ONCE,
                starts_at=day(5),
                ends_at=day(6),
            ),
            MaintenanceWindow(
                sla_id=sla.id,
                title="Payment gateway migration",
                kind=MaintenanceKind.ONCE,
                starts_at=NOW + timedelta(days=2),
                ends_at=NOW + timedelta(days=2, hours=2),
            ),
            MaintenanceWindow(
                sla_id=sla.id,
                title="Weekly patching",
                kind=MaintenanceKind.CRON,
                starts_at=NOW + timedelta(days=1),
                expression="0 2 * * sun",
                duration_minutes=60,
            ),
        ]
    )


def _incidents(session: Session, world: Personas, client_id: int, service_id: int) -> None:
    engineer = Principal(user_id=world["engineer"].user_id, role=Role.ENGINEER, client_id=None, via="session")

    def opened(
        title: str,
        at: datetime,
        owner: int = client_id,
        service: int | None = service_id,
        source: IncidentSource = IncidentSource.MANUAL,
    ) -> int:
        incident = incidents.open_incident(
            session,
            client_id=owner,
            service_id=service,
            priority=Priority.P2,
            title=title,
            description=SECRET_DESCRIPTION,
            source=source,
            now=at,
        )
        session.commit()
        return incident.id

    current = opened("Checkout is slow", NOW - timedelta(hours=2))
    incidents.acknowledge(session, principal=engineer, incident_id=current, now=NOW - timedelta(hours=1))
    incidents.comment(
        session,
        principal=engineer,
        incident_id=current,
        message=INTERNAL_NOTE,
        now=NOW - timedelta(minutes=50),
    )
    incidents.comment(
        session,
        principal=engineer,
        incident_id=current,
        message=PUBLIC_NOTE,
        now=NOW - timedelta(minutes=45),
        public=True,
    )
    recent = opened("Payments failed", NOW - timedelta(days=3, hours=2))
    incidents.comment(
        session,
        principal=engineer,
        incident_id=recent,
        message=RESOLVED_NOTE,
        now=NOW - timedelta(days=3),
        public=True,
    )
    incidents.resolve(
        session, principal=engineer, incident_id=recent, note="fixed", now=NOW - timedelta(days=3)
    )
    probe = opened(f"{MONITOR_NAME} is down", NOW - timedelta(days=1, hours=1), source=IncidentSource.MONITOR)
    incidents.resolve(session, principal=engineer, incident_id=probe, note="", now=NOW - timedelta(days=1))
    old = opened("Old outage", NOW - timedelta(days=21))
    incidents.resolve(session, principal=engineer, incident_id=old, note="", now=NOW - timedelta(days=20))
    opened("Globex trouble", NOW - timedelta(hours=1), owner=world.globex, service=None)


def build(session: Session, world: Personas, *, access: StatusPageAccess = StatusPageAccess.PUBLIC) -> World:
    """Make the world on Acme (see the module docstring); committed."""
    client = session.get_one(Client, world.acme)
    client.status_page = access
    shop, api, legacy = (Service(client_id=client.id, name=name) for name in ("shop", "api", "legacy"))
    session.add_all([shop, api, legacy])
    session.flush()
    _shop_history(session, _monitor(session, shop.id, State.UP).id)
    api_monitor = _monitor(session, api.id, State.DOWN)
    _intervals(session, api_monitor.id, [(NOW - timedelta(minutes=30), None, State.DOWN)])
    _sla(session, client.id)
    session.commit()
    _incidents(session, world, client.id, shop.id)
    return World(client_id=client.id, shop=shop.id, api=api.id, legacy=legacy.id)


# A fuller page, for the browser test and the screenshot in docs/screenshots/status-page.png ---------


def _history(rng: random.Random, since: int, outages: int) -> list[tuple[datetime, datetime | None, State]]:
    """Up from day `since` to now, with `outages` short DOWN spans on random days."""
    cuts = sorted(
        day(n) + timedelta(minutes=rng.randrange(0, 1200)) for n in rng.sample(range(since + 1, 89), outages)
    )
    spans: list[tuple[datetime, datetime | None, State]] = []
    cursor = day(since)
    for cut in cuts:
        length = timedelta(minutes=rng.choice((4, 6, 9, 12, 25, 48, 95)))
        spans += [(cursor, cut, State.UP), (cut, cut + length, State.DOWN)]
        cursor = cut + length
    return [*spans, (cursor, None, State.UP)]


def showcase(session: Session, world: Personas) -> int:
    """Acme Retail's public page: four services with 90 days of history, an incident in progress with
    public updates, a resolved one, and maintenance ahead; committed. Returns the client id."""
    rng = random.Random(6)
    client = session.get_one(Client, world.acme)
    client.name, client.status_page, client.report_timezone = "Acme Retail", StatusPageAccess.PUBLIC, "UTC"
    ids = {}
    for name, since, outages, state in (
        ("Web shop", 0, 3, State.UP),
        ("Checkout API", 0, 5, State.DEGRADED),
        ("Search", 31, 2, State.UP),
        ("Back office", 0, 1, State.UP),
    ):
        service = Service(client_id=client.id, name=name)
        session.add(service)
        session.flush()
        monitor = _monitor(session, service.id, state)
        _intervals(session, monitor.id, _history(rng, since, outages))
        ids[name] = service.id
    _sla(session, client.id)
    session.commit()
    engineer = Principal(user_id=world["engineer"].user_id, role=Role.ENGINEER, client_id=None, via="session")
    for title, service_name, opened, updates, resolved in (
        ("Search results were empty", "Search", NOW - timedelta(days=4, hours=3), [
            (timedelta(minutes=10), "Search returns no results for some queries; we are looking into it."),
            (timedelta(minutes=55), "A faulty index rebuild was rolled back; results are complete again."),
        ], timedelta(minutes=60)),
        ("Slow card payments", "Checkout API", NOW - timedelta(minutes=40), [
            (timedelta(minutes=8), "Card payments take up to 20 seconds. We are investigating."),
            (timedelta(minutes=30), "Our payment provider confirmed a fault on their side and is fixing it."),
        ], None),
    ):  # fmt: skip
        incident = incidents.open_incident(
            session, client_id=client.id, service_id=ids[service_name], priority=Priority.P2, title=title,
            description=SECRET_DESCRIPTION, source=IncidentSource.MANUAL, now=opened,
        )  # fmt: skip
        session.commit()
        incidents.comment(
            session, principal=engineer, incident_id=incident.id, message=INTERNAL_NOTE, now=opened
        )
        for after, message in updates:
            at = opened + after
            incidents.comment(
                session, principal=engineer, incident_id=incident.id, message=message, now=at, public=True
            )
        if resolved is not None:
            incidents.resolve(
                session, principal=engineer, incident_id=incident.id, note="", now=opened + resolved
            )
    return client.id
