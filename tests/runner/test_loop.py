"""The runner loop's steps with a fake checker and a frozen clock, on both databases."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, func, select

from pysteward.runner.loop import Runner, RunnerTimings
from pysteward.server.monitors.checks import FakeChecker
from pysteward.server.monitors.models import CheckResult, Monitor, RunnerLiveness, State
from pysteward.server.observability import Metrics
from pysteward.server.settings import Settings
from pysteward.store import make_session_factory
from tests.runner.factories import add_monitor, at, open_session


def make_runner(engine: Engine, checker: FakeChecker, **settings: object) -> tuple[Runner, Metrics]:
    metrics = Metrics()
    runner = Runner(
        sessions=make_session_factory(engine),
        settings=Settings(database_url=str(engine.url), runner_jitter_seconds=0, **settings),  # type: ignore[arg-type]
        checker=checker,
        metrics=metrics,
        clock=lambda: at(0),
        timings=RunnerTimings(tick=0.01, housekeeping=0.01, drain=1),
    )
    return runner, metrics


def test_a_tick_runs_due_checks_with_bounded_concurrency_and_a_flush_records_them(engine: Engine) -> None:
    with open_session(engine) as session:
        ids = [add_monitor(session, config={"fake": "down" if i == 0 else "up"}).id for i in range(5)]
    checker = FakeChecker(delay=0.01)
    runner, metrics = make_runner(engine, checker, runner_concurrency=2)

    async def scenario() -> int:
        claimed = await runner.tick()
        await asyncio.gather(*runner.running)
        assert await runner.flush() == 2
        return claimed

    assert asyncio.run(scenario()) == 2
    assert checker.peak == 2
    with open_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(CheckResult)) == 2
        states = dict(session.execute(select(Monitor.id, Monitor.state).where(Monitor.id.in_(ids[:2]))).all())
    assert states == {ids[0]: State.DOWN, ids[1]: State.UP}
    text = metrics.render().decode()
    assert 'steward_checks_total{kind="http"} 2.0' in text
    assert 'steward_check_failures_total{kind="http"} 1.0' in text
    assert "steward_scheduling_lag_seconds_count 2.0" in text


def test_run_marks_liveness_and_flushes_everything_at_shutdown(engine: Engine) -> None:
    with open_session(engine) as session:
        add_monitor(session)
    runner, _ = make_runner(engine, FakeChecker(), runner_batch_size=1)

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        while not runner.metrics.checks.labels(kind="http")._value.get():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        stop.set()
        await task

    asyncio.run(scenario())
    assert runner.pending == []
    with open_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(CheckResult)) == 1
        assert session.get(RunnerLiveness, "inprocess") is not None


def test_a_failed_flush_keeps_the_results_for_the_next_one(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session)
    runner, _ = make_runner(engine, FakeChecker())

    async def scenario() -> tuple[int, int]:
        await runner.tick()
        await asyncio.gather(*runner.running)
        good = runner.sessions
        runner.sessions = None  # type: ignore[assignment]
        failed = await runner.flush()
        runner.sessions = good
        return failed, await runner.flush()

    assert asyncio.run(scenario()) == (0, 1)
    assert monitor.id
