"""Building blocks for incident tests: a client, a service with an SLA and targets, a monitor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.incidents.models import EscalationPolicy, EscalationStep
from pysteward.server.monitors.models import Monitor, MonitorKind, State
from pysteward.server.notify.models import Channel
from pysteward.server.principal import Principal
from pysteward.server.slas.models import (
    AccountingPolicy,
    BusinessCalendar,
    Clock,
    Priority,
    PriorityTarget,
    Sla,
    TargetUnit,
)
from pysteward.server.tenancy.models import Client, Role, User

PARIS_OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

# (response amount, unit, clock, resolution amount, unit, clock): the defaults.
DEFAULT_TARGETS: dict[Priority, tuple[int, TargetUnit, Clock, int, TargetUnit, Clock]] = {
    Priority.P1: (15, TargetUnit.MINUTES, Clock.ALWAYS, 4, TargetUnit.HOURS, Clock.ALWAYS),
    Priority.P2: (1, TargetUnit.HOURS, Clock.ALWAYS, 8, TargetUnit.HOURS, Clock.ALWAYS),
    Priority.P3: (4, TargetUnit.HOURS, Clock.BUSINESS, 3, TargetUnit.DAYS, Clock.BUSINESS),
    Priority.P4: (1, TargetUnit.DAYS, Clock.BUSINESS, 10, TargetUnit.DAYS, Clock.BUSINESS),
}


@dataclass(frozen=True, slots=True)
class World:
    """One client with one service under an SLA (business hours in Paris), and a provider engineer."""

    client_id: int
    service_id: int
    sla_id: int
    engineer: Principal
    viewer: Principal


def make_world(session: Session, *, holidays: list[str] | None = None, with_sla: bool = True) -> World:
    """Create the world and commit it."""
    client = Client(name="Acme")
    session.add(client)
    session.flush()
    service = Service(client_id=client.id, name="shop")
    engineer = User(email="eng@example.invalid", password_hash="x", role=Role.ENGINEER)
    viewer = User(email="view@example.invalid", password_hash="x", role=Role.VIEWER, client_id=client.id)
    session.add_all([service, engineer, viewer])
    session.flush()
    sla_id = 0
    if with_sla:
        calendar = BusinessCalendar(
            client_id=client.id,
            name="Paris office",
            timezone="Europe/Paris",
            weekly_hours=PARIS_OFFICE,
            holidays=holidays or [],
        )
        session.add(calendar)
        session.flush()
        sla = Sla(
            client_id=client.id,
            service_id=None,
            name="Gold",
            target=99.9,
            timezone="Europe/Paris",
            calendar_id=calendar.id,
        )
        session.add(sla)
        session.flush()
        session.add(AccountingPolicy(sla_id=sla.id, version=1))
        for priority, (ra, ru, rc, sa, su, sc) in DEFAULT_TARGETS.items():
            session.add(
                PriorityTarget(
                    sla_id=sla.id,
                    priority=priority,
                    response_amount=ra,
                    response_unit=ru,
                    response_clock=rc,
                    resolution_amount=sa,
                    resolution_unit=su,
                    resolution_clock=sc,
                )
            )
        sla_id = sla.id
    session.commit()
    return World(
        client_id=client.id,
        service_id=service.id,
        sla_id=sla_id,
        engineer=Principal(user_id=engineer.id, role=Role.ENGINEER, client_id=None, via="session"),
        viewer=Principal(user_id=viewer.id, role=Role.VIEWER, client_id=client.id, via="session"),
    )


def add_monitor(session: Session, world: World, *, state: State, since: datetime, **fields: Any) -> Monitor:
    """A monitor of the world's service, already in `state` since `since`; committed."""
    values: dict[str, Any] = {
        "name": "home page",
        "kind": MonitorKind.HTTP,
        "config": {"url": "http://shop.invalid/"},
        "incident_priority": Priority.P2,
    }
    values.update(fields)
    monitor = Monitor(service_id=world.service_id, state=state, state_since=since, **values)
    session.add(monitor)
    session.commit()
    return monitor


def add_channel(session: Session, world: World, **fields: Any) -> Channel:
    """A webhook channel of the world's client (the URL is never called by these tests)."""
    values: dict[str, Any] = {
        "name": "ops",
        "url": "json://hooks.invalid/steward",
        "client_id": world.client_id,
    }
    values.update(fields)
    channel = Channel(**values)
    session.add(channel)
    session.commit()
    return channel


def add_policy(
    session: Session,
    world: World,
    steps: list[tuple[int, int]],
    *,
    repeat_times: int = 0,
    repeat_after: int = 30,
) -> EscalationPolicy:
    """An escalation policy of `(after_minutes, channel_id)` steps, set on the world's SLA; committed."""
    policy = EscalationPolicy(
        client_id=world.client_id,
        name="on call",
        repeat_times=repeat_times,
        repeat_after_minutes=repeat_after,
    )
    session.add(policy)
    session.flush()
    for position, (after, channel_id) in enumerate(steps, start=1):
        session.add(
            EscalationStep(policy_id=policy.id, position=position, after_minutes=after, channel_id=channel_id)
        )
    sla = session.get(Sla, world.sla_id)
    if sla is not None:
        sla.escalation_policy_id = policy.id
    session.commit()
    return policy
