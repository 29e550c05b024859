"""Scheduled incident work with a frozen clock, on both databases: incidents from monitor states,
timer ticks, escalations. Every function reads only what is stored, so each test's "restart" is
simply a new session."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.incidents import service as incidents
from pysteward.server.incidents import tasks
from pysteward.server.incidents.escalation import run_escalations
from pysteward.server.incidents.models import (
    Breach,
    Incident,
    IncidentEvent,
    IncidentSource,
    IncidentStatus,
    TimerState,
)
from pysteward.server.incidents.tasks import sync_monitor_incidents, tick_timers
from pysteward.server.monitors.models import Monitor, State
from pysteward.server.notify.models import Delivery
from pysteward.server.slas.models import Priority
from pysteward.server.tenancy.models import Client
from tests.runner.factories import open_session
from tests.server.incidents.factories import World, add_channel, add_monitor, add_policy, make_world

T = datetime(2030, 3, 9, 23, 0, tzinfo=UTC)  # a Saturday night: only around-the-clock targets run


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def _incidents(session: Session) -> list[Incident]:
    return list(session.scalars(select(Incident).order_by(Incident.id)))


def _set_state(session: Session, monitor: Monitor, state: State, since: datetime) -> None:
    monitor.state, monitor.state_since = state, since
    session.commit()


def open_at_start(
    session: Session,
    world: World,
    *,
    service_id: int | None = None,
    priority: Priority = Priority.P1,
    title: str = "down",
) -> Incident:
    """An incident opened through the API at minute 0 on the world's service (or `service_id`)."""
    return incidents.open_incident(
        session,
        client_id=world.client_id,
        service_id=world.service_id if service_id is None else service_id,
        priority=priority,
        title=title,
        source=IncidentSource.API,
        now=at(0),
    )


def test_a_monitor_gone_down_opens_one_incident_from_the_outage_start(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        monitor = add_monitor(session, world, state=State.DOWN, since=at(0), incident_priority=Priority.P1)
        add_monitor(session, world, state=State.UP, since=at(0), name="api")
        assert sync_monitor_incidents(session, now=at(1)) == (1, 0)
        assert sync_monitor_incidents(session, now=at(2)) == (0, 0)
    with open_session(engine) as session:
        [incident] = _incidents(session)
        assert (incident.monitor_id, incident.priority, incident.source) == (
            monitor.id,
            Priority.P1,
            IncidentSource.MONITOR,
        )
        assert incident.opened_at == at(0)
        assert incident.title == "home page is down"
        assert incident.response_due_at == at(15)


def test_a_monitor_without_a_priority_opens_no_incident(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        add_monitor(session, world, state=State.DOWN, since=at(0), incident_priority=None)
        assert sync_monitor_incidents(session, now=at(1)) == (0, 0)


def test_recovery_resolves_and_a_flap_within_the_cool_down_reopens_the_same_incident(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        monitor = add_monitor(session, world, state=State.DOWN, since=at(0), incident_cooldown_seconds=600)
        sync_monitor_incidents(session, now=at(1))
        _set_state(session, monitor, State.UP, at(3))
        assert sync_monitor_incidents(session, now=at(4)) == (0, 1)
        [incident] = _incidents(session)
        assert (incident.status, incident.resolved_at) == (IncidentStatus.RESOLVED, at(3))
        _set_state(session, monitor, State.DOWN, at(8))  # 5 minutes later: a flap
        assert sync_monitor_incidents(session, now=at(9)) == (1, 0)
        [again] = _incidents(session)
        assert again.id == incident.id
        assert again.status is IncidentStatus.TRIGGERED
        # The 5 resolved minutes do not count against the 8 h resolution target.
        assert again.resolution_due_at == at(8 * 60 + 5)
        _set_state(session, monitor, State.UP, at(10))
        sync_monitor_incidents(session, now=at(11))
        _set_state(session, monitor, State.DOWN, at(30))  # 20 minutes later: a new outage
        sync_monitor_incidents(session, now=at(31))
        assert [i.opened_at for i in _incidents(session)] == [at(0), at(30)]


def test_ticks_warn_at_75_percent_and_breach_at_100_percent_once_each(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        add_channel(session, world)
        incident = open_at_start(session, world)
        session.commit()
        assert tick_timers(session, now=at(11)).warnings == 0
        assert tick_timers(session, now=at(11.25)).warnings == 1  # 75 % of 15 minutes
        assert tick_timers(session, now=at(12)).warnings == 0
    with open_session(engine) as session:  # a restart: only stored timestamps
        counts = tick_timers(session, now=at(15))
        assert (counts.warnings, counts.breaches) == (0, 1)
        assert tick_timers(session, now=at(16)).breaches == 0
        stored = session.get(Incident, incident.id)
        assert stored is not None and stored.response_state is TimerState.BREACHED
        breach = session.scalars(select(Breach)).one()
        assert (breach.target, breach.due_at, breach.breached_at, breach.priority) == (
            "response",
            at(15),
            at(15),
            Priority.P1,
        )
        kinds = session.scalars(select(IncidentEvent.kind).order_by(IncidentEvent.id)).all()
        assert kinds == ["opened", "response_warning", "response_breached"]
        events = session.scalars(select(Delivery.event).order_by(Delivery.id)).all()
        assert events == ["incident.opened", "sla.warning", "sla.breach"]


def test_one_tick_moves_many_timers_and_tells_only_the_channels_in_scope(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        other = Client(name="Globex")
        api = Service(client_id=world.client_id, name="api")
        session.add_all([other, api])
        session.commit()
        client_wide = add_channel(session, world, name="acme")
        api_only = add_channel(session, world, name="api team", service_id=api.id)
        provider = add_channel(session, world, name="provider", client_id=None)
        add_channel(session, world, name="globex", client_id=other.id)
        opened = [
            open_at_start(session, world, service_id=service_id, title=f"down {n}")
            for n, service_id in enumerate([world.service_id, world.service_id, api.id])
        ]
        session.commit()
        ids = [incident.id for incident in opened]
        assert tick_timers(session, now=at(11.25)).warnings == 3
        warned = session.execute(
            select(Delivery.incident_id, Delivery.channel_id)
            .where(Delivery.event == "sla.warning")
            .order_by(Delivery.incident_id, Delivery.channel_id)
        ).all()
        shop_channels = [(ids[0], client_wide.id), (ids[0], provider.id)]
        assert [tuple(row) for row in warned] == [
            *shop_channels,
            (ids[1], client_wide.id),
            (ids[1], provider.id),
            (ids[2], client_wide.id),
            (ids[2], api_only.id),
            (ids[2], provider.id),
        ]
        stored = [session.get_one(Incident, incident_id, populate_existing=True) for incident_id in ids]
        assert {(i.response_state, i.updated_at) for i in stored} == {(TimerState.WARNING, at(11.25))}
        assert tick_timers(session, now=at(15)).breaches == 3
        assert tick_timers(session, now=at(16)).breaches == 0
        breached = session.scalars(select(Breach.incident_id).order_by(Breach.incident_id)).all()
        assert breached == ids
        kinds = session.execute(
            select(IncidentEvent.incident_id, IncidentEvent.kind)
            .where(IncidentEvent.kind != "opened")
            .order_by(IncidentEvent.incident_id, IncidentEvent.id)
        ).all()
        assert [tuple(k) for k in kinds] == [
            (incident_id, kind) for incident_id in ids for kind in ("response_warning", "response_breached")
        ]


def test_two_workers_ticking_at_once_move_each_timer_once(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        for n in range(3):
            open_at_start(session, world, title=f"down {n}")
        session.commit()
    seen: list[int] = []
    with open_session(engine) as first:
        assert (
            tasks._advance(first, "response", TimerState.WARNING, now=at(12)) == 3
        )  # claimed, not committed
        second = threading.Thread(target=lambda: seen.append(_warnings_of_a_tick(engine, at(12))))
        second.start()
        second.join(timeout=0.5)
        assert second.is_alive()  # the other worker waits for the claim to be decided
        first.commit()
    second.join(timeout=30)
    assert seen == [0]
    with open_session(engine) as session:
        kinds = session.scalars(
            select(IncidentEvent.kind).where(IncidentEvent.kind == "response_warning")
        ).all()
        assert len(kinds) == 3


def _warnings_of_a_tick(engine: Engine, now: datetime) -> int:
    with open_session(engine) as session:
        return tick_timers(session, now=now).warnings


def test_a_paused_resolution_clock_neither_warns_nor_breaches(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = open_at_start(session, world)
        session.commit()
        incidents.acknowledge(session, principal=world.engineer, incident_id=incident.id, now=at(1))
        incidents.pause(session, principal=world.engineer, incident_id=incident.id, reason="", now=at(2))
        counts = tick_timers(session, now=at(600))
        assert (counts.warnings, counts.breaches) == (0, 0)
        assert session.scalar(select(func.count()).select_from(Breach)) == 0


def test_escalation_fires_each_step_on_time_repeats_and_stops_on_acknowledgement(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        first = add_channel(session, world, name="first", subscribed=False)
        second = add_channel(session, world, name="second", subscribed=False)
        add_policy(session, world, [(0, first.id), (10, second.id)], repeat_times=1, repeat_after=5)
        incident = open_at_start(session, world, priority=Priority.P2)
        session.commit()
        assert incident.next_escalation_at == at(0)
        assert run_escalations(session, now=at(0)) == 1
        assert run_escalations(session, now=at(9)) == 0
        assert run_escalations(session, now=at(10)) == 1
        assert incident.next_escalation_at == at(15)  # the second round starts 5 minutes after step 2
        incidents.acknowledge(session, principal=world.engineer, incident_id=incident.id, now=at(12))
        assert run_escalations(session, now=at(60)) == 0
        deliveries = session.execute(
            select(Delivery.channel_id, Delivery.event)
            .where(Delivery.event == "incident.escalated")
            .order_by(Delivery.id)
        ).all()
        assert [tuple(row) for row in deliveries] == [
            (first.id, "incident.escalated"),
            (second.id, "incident.escalated"),
        ]


def test_escalation_steps_missed_while_stopped_fire_once_each_at_the_next_tick(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        channel = add_channel(session, world, subscribed=False)
        add_policy(session, world, [(0, channel.id), (5, channel.id)], repeat_times=1, repeat_after=5)
        incident = open_at_start(session, world, priority=Priority.P2)
        session.commit()
    with open_session(engine) as session:
        assert run_escalations(session, now=at(100)) == 4
        assert run_escalations(session, now=at(200)) == 0
        stored = session.get(Incident, incident.id)
        assert stored is not None and stored.next_escalation_at is None
        assert stored.escalations_fired == 4
