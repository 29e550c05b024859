"""The runner's operations tick: from a monitor gone down to an incident, its timers, escalation and
the notification sent, with a fake sender and a frozen clock, on both databases."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from pysteward.runner.loop import Runner, RunnerTimings
from pysteward.server import schedule
from pysteward.server.incidents.models import Incident, IncidentStatus
from pysteward.server.incidents.tasks import TickCounts
from pysteward.server.monitors.checks import FakeChecker
from pysteward.server.monitors.models import State
from pysteward.server.notify.models import Delivery, DeliveryStatus
from pysteward.server.notify.sender import FakeSender
from pysteward.server.observability import Metrics, _amount
from pysteward.server.settings import Settings
from pysteward.store import make_session_factory
from tests.runner.factories import open_session
from tests.server.incidents.factories import add_channel, add_monitor, make_world

T = datetime(2030, 3, 11, 9, 0, tzinfo=UTC)  # a Monday morning


def _runner(engine: Engine, sender: FakeSender, now: datetime) -> tuple[Runner, Metrics]:
    metrics = Metrics()
    runner = Runner(
        sessions=make_session_factory(engine),
        settings=Settings(database_url=str(engine.url)),
        checker=FakeChecker(),
        metrics=metrics,
        clock=lambda: now,
        timings=RunnerTimings(tick=0.01, housekeeping=0.01, operations=0.01, drain=1),
        sender=sender,
    )
    return runner, metrics


def test_an_outage_becomes_an_incident_and_its_notification_goes_out_in_one_tick(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        channel = add_channel(session, world, url="json://hooks.invalid/ops")
        add_monitor(session, world, state=State.DOWN, since=T - timedelta(minutes=1))
    sender = FakeSender()
    runner, metrics = _runner(engine, sender, T)
    done = asyncio.run(runner.operations(slow=True))
    assert done["incidents"] == (1, 0)
    assert done["deliveries"] == 1
    steps = {"incidents", "timers", "escalations", "burn_alerts", "periods", "reports", "deliveries"}
    assert set(done) == steps
    assert [(url, title) for url, title, _ in sender.sent] == [
        ("json://hooks.invalid/ops", "[P2] Opened: home page is down")
    ]
    with open_session(engine) as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.status is IncidentStatus.TRIGGERED
        delivery = session.scalars(select(Delivery)).one()
        assert (delivery.channel_id, delivery.status) == (channel.id, DeliveryStatus.SENT)
    text = metrics.render().decode()
    assert 'steward_operations_total{step="incidents"} 1.0' in text
    assert 'steward_operations_total{step="deliveries"} 1.0' in text


def test_a_failing_step_is_logged_counted_and_does_not_stop_the_others(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(schedule, "tick_timers", broken)
    runner, metrics = _runner(engine, FakeSender(), T)
    with caplog.at_level(logging.ERROR, logger="pysteward.schedule"):
        done = asyncio.run(runner.operations(slow=False))
    assert done["timers"] is None
    assert done["escalations"] == 0
    assert "burn_alerts" not in done
    assert "scheduled step failed" in caplog.text
    assert 'steward_operation_failures_total{step="timers"} 1.0' in metrics.render().decode()


def test_the_run_loop_ticks_operations_until_stopped(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        add_monitor(session, world, state=State.DOWN, since=T)
    runner, _ = _runner(engine, FakeSender(), T)

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        for _ in range(500):
            with open_session(engine) as session:
                if session.scalars(select(Incident)).first() is not None:
                    break
            await asyncio.sleep(0.01)
        stop.set()
        await task

    asyncio.run(scenario())
    with open_session(engine) as session:
        assert session.scalars(select(Incident)).one().opened_at == T


def test_step_results_count_as_numbers_tuples_and_dataclasses_of_them() -> None:
    assert _amount(3) == 3
    assert _amount((1, 2)) == 3
    assert _amount(TickCounts(warnings=2, breaches=1)) == 3
    assert _amount("something else") == 0
