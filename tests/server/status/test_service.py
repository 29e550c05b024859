"""What a status page shows: states, 90 daily bars, incidents with public updates, maintenance."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.estate.models import Service
from pysteward.server.incidents.models import IncidentStatus
from pysteward.server.monitors.models import Monitor, State, StateInterval
from pysteward.server.slas.models import AccountingPolicy, Combine, Sla
from pysteward.server.status.availability import day_bounds
from pysteward.server.status.service import StatusPage, gather
from pysteward.server.tenancy.models import Client
from tests.server.conftest import Personas
from tests.server.status.world import FIRST_DAY, NOW, PUBLIC_NOTE, RESOLVED_NOTE, TODAY, build


def _page(sessions: sessionmaker[Session], client_id: int, now: datetime = NOW) -> StatusPage:
    with sessions() as session:
        return gather(session, client=session.get_one(Client, client_id), now=now)


def test_the_strip_has_one_bar_per_day_with_levels_from_known_intervals(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        world = build(session, personas)
    page = _page(sessions, world.client_id)
    shop = next(service for service in page.services if service.name == "shop")
    assert len(shop.days) == 90
    assert (shop.days[0].day, shop.days[-1].day) == (FIRST_DAY, TODAY)
    assert (page.first_day, page.last_day) == (FIRST_DAY, TODAY)
    levels = {n: shop.days[n].level for n in (0, 1, 5, 10, 20, 89)}
    assert levels == {0: "nodata", 1: "up", 5: "maintenance", 10: "minor", 20: "major", 89: "up"}
    assert shop.days[0].percent is None
    assert shop.days[10].down_seconds == 600
    # 10 min down of a whole day, rounded down to the policy's 3 decimals.
    assert shop.days[10].percent == Decimal("99.305")
    assert shop.days[20].percent == Decimal("95.833")
    # 88.5 days measured, less the maintenance day: (126,000 - 70) min up of 126,000.
    assert shop.percent == Decimal("99.944")
    assert sum(1 for d in shop.days if d.level == "up") == 90 - 4


def test_current_states_and_the_banner_come_from_the_monitors(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        world = build(session, personas)
    page = _page(sessions, world.client_id)
    states = {service.name: (service.state, service.label) for service in page.services}
    assert states == {
        "api": (State.DOWN, "Outage"),
        "legacy": (State.UNKNOWN, "No data"),
        "shop": (State.UP, "Operational"),
    }
    assert (page.state, page.headline) == ("partial", "Partial outage")
    api = next(service for service in page.services if service.name == "api")
    assert api.percent == Decimal("0.000")
    assert [d.level for d in api.days[-2:]] == ["nodata", "major"]
    # Both services together, time-weighted: the 30 minutes of api down count against 126,000 of shop.
    assert page.percent == Decimal("99.920")


def test_incidents_show_only_public_updates_and_only_the_last_14_days(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        world = build(session, personas)
    page = _page(sessions, world.client_id)
    shown = [(i.title, i.status, i.label, i.service) for i in page.incidents]
    assert shown == [
        ("Checkout is slow", IncidentStatus.ACKNOWLEDGED, "In progress", "shop"),
        (
            "Service disruption",
            IncidentStatus.RESOLVED,
            "Resolved",
            "shop",
        ),  # the monitor's title is internal
        ("Payments failed", IncidentStatus.RESOLVED, "Resolved", "shop"),
    ]
    assert [[u.message for u in incident.updates] for incident in page.incidents] == [
        [PUBLIC_NOTE],
        [],
        [RESOLVED_NOTE],
    ]


def test_maintenance_lists_what_runs_or_starts_within_14_days(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        build(session, personas)
    page = _page(sessions, personas.acme)
    listed = [(m.title, m.starts_at, m.ends_at, m.ongoing) for m in page.maintenance]
    assert listed == [
        (
            "Weekly patching",
            datetime(2030, 3, 17, 2, tzinfo=UTC),
            datetime(2030, 3, 17, 3, tzinfo=UTC),
            False,
        ),
        ("Payment gateway migration", NOW + timedelta(days=2), NOW + timedelta(days=2, hours=2), False),
        (
            "Weekly patching",
            datetime(2030, 3, 24, 2, tzinfo=UTC),
            datetime(2030, 3, 24, 3, tzinfo=UTC),
            False,
        ),
    ]
    assert page.maintenance[0].services == ("api", "legacy", "shop")
    # During the migration every covered service is under maintenance, whatever the monitors say.
    during = _page(sessions, personas.acme, NOW + timedelta(days=2, hours=1))
    assert {service.state for service in during.services} == {State.MAINTENANCE}
    assert (during.state, during.maintenance[0].ongoing) == ("maintenance", True)
    assert during.maintenance[0].starts_at == NOW + timedelta(days=2)


def test_days_are_cut_in_the_clients_time_zone(sessions: sessionmaker[Session], personas: Personas) -> None:
    with sessions() as session:
        service = Service(client_id=personas.acme, name="shop")
        session.add(service)
        session.flush()
        monitor = Monitor(service_id=service.id, name="m", kind="http", config={}, state=State.UP)
        session.add(monitor)
        session.flush()
        # 23:30 UTC on 14 March is already 15 March in Auckland (UTC+13).
        start = datetime(2030, 3, 14, 23, 30, tzinfo=UTC)
        session.add(StateInterval(monitor_id=monitor.id, state=State.DOWN, started_at=start, ended_at=None))
        client = session.get_one(Client, personas.acme)
        client.report_timezone = "Pacific/Auckland"
        session.commit()
    page = _page(sessions, personas.acme)
    assert page.last_day == date(2030, 3, 16)  # 01:00 on the 16th in Auckland
    days = page.services[0].days
    assert [(d.day, d.level) for d in days[-2:]] == [
        (date(2030, 3, 15), "major"),
        (date(2030, 3, 16), "major"),
    ]
    assert days[-3].level == "nodata"


def test_day_bounds_follow_local_midnights_across_a_clock_change() -> None:
    dates, bounds = day_bounds(datetime(2030, 3, 31, 12, tzinfo=UTC), "Europe/Paris", days=3)
    assert dates == [date(2030, 3, 29), date(2030, 3, 30), date(2030, 3, 31)]
    assert bounds == [
        datetime(2030, 3, 28, 23, tzinfo=UTC),
        datetime(2030, 3, 29, 23, tzinfo=UTC),
        datetime(2030, 3, 30, 23, tzinfo=UTC),  # 31 March has 23 hours: summer time from 02:00
        datetime(2030, 3, 31, 12, tzinfo=UTC),
    ]


def test_a_client_without_services_says_so(sessions: sessionmaker[Session], personas: Personas) -> None:
    page = _page(sessions, personas.globex)
    assert (page.services, page.percent, page.state) == ((), None, "unknown")
    assert page.headline == "No services listed yet"


def test_monitors_combine_as_the_policy_in_effect_says(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        duo, paused = (
            Service(client_id=personas.acme, name="duo"),
            Service(client_id=personas.acme, name="paused"),
        )
        session.add_all([duo, paused])
        session.flush()
        sla = Sla(client_id=personas.acme, service_id=duo.id, name="Any", target=99.0, starts_at=NOW)
        session.add(sla)
        session.flush()
        session.add_all(
            [
                AccountingPolicy(sla_id=sla.id, version=1, combine=Combine.ANY, effective_from=NOW),
                # Not yet in effect: under it, one monitor down would be the service down.
                AccountingPolicy(sla_id=sla.id, version=2, effective_from=NOW + timedelta(days=1)),
            ]
        )
        for service_id, state, flag in (
            (duo.id, State.DOWN, False),
            (duo.id, State.UP, False),
            (paused.id, State.UP, True),
        ):
            session.add(
                Monitor(
                    service_id=service_id, name="m", kind="http", config={}, state=state, maintenance=flag
                )
            )
        session.commit()
    page = _page(sessions, personas.acme)
    assert [(s.name, s.state) for s in page.services] == [("duo", State.UP), ("paused", State.MAINTENANCE)]
    assert (page.state, page.headline) == ("maintenance", "Maintenance in progress")
