"""Building blocks for notify tests: services, channels, incidents and deliveries at a frozen time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.incidents.models import Incident, IncidentSource
from pysteward.server.notify.models import AdminNotice, Channel, Delivery, DeliveryAttempt
from pysteward.server.principal import Principal
from pysteward.server.settings import Settings
from pysteward.server.slas.models import Priority
from pysteward.server.tenancy.models import Role
from tests.server.matrix import next_number

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
HOOK = "json://127.0.0.1:9/hook"
ENGINEER = Principal(user_id=1, role=Role.ENGINEER, client_id=None, via="local")


def at(seconds: float) -> datetime:
    """`seconds` after NOW."""
    return NOW + timedelta(seconds=seconds)


def tuned(settings: Settings, **changes: Any) -> Settings:
    """`settings` with `changes` (the notify_* fields, mail_url)."""
    return settings.model_copy(update=changes)


def add_service(session: Session, client_id: int) -> int:
    row = Service(client_id=client_id, name=f"service {next_number()}")
    session.add(row)
    session.commit()
    return row.id


def add_channel(session: Session, *, url: str = HOOK, **values: Any) -> Channel:
    values.setdefault("name", f"channel {next_number()}")
    row = Channel(url=url, **values)
    session.add(row)
    session.commit()
    return row


def add_incident(session: Session, *, client_id: int, service_id: int | None) -> Incident:
    row = Incident(
        client_id=client_id,
        service_id=service_id,
        title="Shop down",
        priority=Priority.P1,
        source=IncidentSource.MANUAL,
        opened_at=NOW,
    )
    session.add(row)
    session.commit()
    return row


def add_delivery(session: Session, *, due: datetime | None = NOW, **values: Any) -> Delivery:
    values.setdefault("event", "incident.opened")
    values.setdefault("title", "Shop down")
    values.setdefault("body", "The shop answers 503.")
    row = Delivery(next_attempt_at=due, created_at=NOW, **values)
    session.add(row)
    session.commit()
    return row


def attempts_of(session: Session, delivery_id: int) -> list[tuple[datetime, str, str]]:
    """(at, outcome, error) of each attempt of a delivery, oldest first."""
    rows = session.execute(
        select(DeliveryAttempt.at, DeliveryAttempt.outcome, DeliveryAttempt.error)
        .where(DeliveryAttempt.delivery_id == delivery_id)
        .order_by(DeliveryAttempt.id)
    )
    return [(when, outcome.value, error) for when, outcome, error in rows]


def count(session: Session, model: type[Delivery] | type[AdminNotice]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0
