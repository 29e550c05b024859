"""The in-process runner: checks run inside `steward serve` for the application's lifetime, or
alone with `python -m pysteward.runner` (several processes may share one database)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator

from fastapi import FastAPI

from pysteward.runner.loop import Runner, RunnerTimings
from pysteward.server.monitors.checks.checker import Checker
from pysteward.server.observability import Metrics, metrics_for
from pysteward.server.settings import Settings
from pysteward.store import make_engine, make_session_factory

__all__ = ["run_alone", "running"]


@contextlib.asynccontextmanager
async def running(app: FastAPI, *, enabled: bool) -> AsyncIterator[None]:
    """Run the checker for the application's lifetime (when `enabled`); stopping waits for running
    checks and records their results."""
    if not enabled:
        yield
        return
    settings: Settings = app.state.settings
    stop = asyncio.Event()
    async with Checker(settings.private_networks_allowed, limit=settings.runner_concurrency) as checker:
        runner = Runner(
            sessions=app.state.sessions,
            settings=settings,
            checker=checker,
            metrics=metrics_for(app),
            sender=getattr(app.state, "sender", None),
        )
        app.state.runner = runner
        task = asyncio.create_task(runner.run(stop))
        try:
            yield
        finally:
            stop.set()
            await task


async def run_alone(
    settings: Settings, *, stop: asyncio.Event | None = None, timings: RunnerTimings | None = None
) -> None:
    """Run the checker without the API until SIGTERM/SIGINT (or `stop`)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    engine = make_engine(settings.database_url)
    try:
        async with Checker(settings.private_networks_allowed, limit=settings.runner_concurrency) as checker:
            runner = Runner(
                sessions=make_session_factory(engine),
                settings=settings,
                checker=checker,
                metrics=Metrics(),
                timings=timings,
            )
            await runner.run(stop)
    finally:
        engine.dispose()
