"""Building blocks for runner and monitor-service tests: a frozen clock and monitors in a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.models import Monitor, MonitorKind, State, StateInterval
from pysteward.server.monitors.results import NewResult
from pysteward.server.tenancy.models import Client

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """`seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


def add_monitor(session: Session, **fields: Any) -> Monitor:
    """A monitor of a fresh service (HTTP to a `.invalid` host unless told otherwise), committed."""
    service = session.scalars(select(Service)).first()
    if service is None:
        client = Client(name="Acme")
        session.add(client)
        session.flush()
        service = Service(client_id=client.id, name="shop")
        session.add(service)
        session.flush()
    values: dict[str, Any] = {
        "name": "home page",
        "kind": MonitorKind.HTTP,
        "config": {"url": "http://shop.invalid/"},
        "interval_seconds": 60,
    }
    values.update(fields)
    monitor = Monitor(service_id=service.id, **values)
    session.add(monitor)
    session.commit()
    return monitor


def result(monitor_id: int, seconds: float, state: State, latency: float | None = 10.0) -> NewResult:
    """A result of `state` at `at(seconds)`."""
    return NewResult(
        monitor_id=monitor_id,
        checked_at=at(seconds),
        outcome=CheckOutcome(state=state, latency_ms=latency, message=state.value),
    )


def intervals(engine: Engine, monitor_id: int) -> list[tuple[State, datetime, datetime | None]]:
    """The monitor's intervals, oldest first."""
    with Session(engine) as session:
        rows = session.scalars(
            select(StateInterval)
            .where(StateInterval.monitor_id == monitor_id)
            .order_by(StateInterval.started_at)
        )
        return [(row.state, row.started_at, row.ended_at) for row in rows]


def assert_contiguous(spans: list[tuple[State, datetime, datetime | None]]) -> None:
    """Each interval ends where the next starts, none is empty, and only the last is open."""
    for (_, start, end), (_, next_start, _) in pairwise(spans):
        assert end == next_start
        assert start < end
    if spans:
        assert spans[-1][2] is None


def open_session(engine: Engine) -> Session:
    """A session whose objects stay readable after commit, as the server's are."""
    return Session(engine, expire_on_commit=False)
