"""The runner loop: claim due checks, run them with bounded concurrency, record results in batches.

All database work is the service functions of `pysteward.server.monitors.tasks` and `.results`, run
in a worker thread (`asyncio.to_thread`) so the event loop keeps checking while a batch commits.
The clock is injected, so tests drive the loop's steps (`start`, `tick`, `flush`) with a fake time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

# Every model, so foreign keys resolve when the runner runs without the API (`python -m pysteward.runner`).
import pysteward.server.models  # noqa: F401
from pysteward.server.monitors.checks.checker import CheckRunner
from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.models import State
from pysteward.server.monitors.results import NewResult, record_results
from pysteward.server.monitors.tasks import (
    DueCheck,
    claim_due,
    expire_heartbeats,
    mark_gap,
    prune,
    touch_liveness,
)
from pysteward.server.notify.sender import AppriseSender, Sender
from pysteward.server.observability import Metrics
from pysteward.server.schedule import operations_tick
from pysteward.server.settings import Settings
from pysteward.store.base import utcnow

__all__ = ["Runner", "RunnerTimings"]

log = logging.getLogger("pysteward.runner")
T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class RunnerTimings:
    """How often the loop does each thing, in seconds."""

    tick: float = 0.25
    housekeeping: float = 5.0
    """Liveness and heartbeat deadlines."""
    operations: float = 5.0
    """Incidents, SLA timers, escalations and notification deliveries (`operations_tick`)."""
    slow_operations: float = 60.0
    """Burn-rate alerts and closing ended SLA periods."""
    prune: float = 3600.0
    lease: float = 1.0
    """The least time before a monitor may be claimed again (see `claim_due`)."""
    drain: float = 15.0
    """At shutdown, how long running checks may take to finish before they are abandoned."""


class Runner:
    """One in-process runner; `await runner.run(stop)` until `stop` is set."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        settings: Settings,
        checker: CheckRunner,
        metrics: Metrics,
        name: str = "inprocess",
        clock: Callable[[], datetime] = utcnow,
        timings: RunnerTimings | None = None,
        sender: Sender | None = None,
    ) -> None:
        self.sessions, self.settings, self.checker, self.metrics = sessions, settings, checker, metrics
        self.sender = sender or AppriseSender()
        self.name, self.clock, self.timings = name, clock, timings or RunnerTimings()
        self.pending: list[NewResult] = []
        self.running: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(settings.runner_concurrency)
        self._full = asyncio.Event()
        self._rng = random.Random()  # noqa: S311 (spreading load, not a secret)

    async def _db(self, function: Callable[..., T], **kwargs: Any) -> T:
        def work() -> T:
            with self.sessions() as session:
                return function(session, **kwargs)

        return await asyncio.to_thread(work)

    async def start(self) -> None:
        """Record the time the runner was away as `unknown` (see `mark_gap`)."""
        gap = await self._db(mark_gap, runner_name=self.name, now=self.clock())
        if gap is not None:
            log.info("runner restarted", extra={"runner": self.name, "gap_since": gap.isoformat()})

    async def tick(self) -> int:
        """Claim as many due checks as there are free slots and start them; how many."""
        free = self.settings.runner_concurrency - len(self.running)
        if free <= 0:
            return 0
        claimed: list[DueCheck] = await self._db(
            claim_due,
            now=self.clock(),
            limit=free,
            lease_seconds=self.timings.lease,
            jitter_seconds=self.settings.runner_jitter_seconds,
            rng=self._rng,
        )
        for due in claimed:
            self.metrics.scheduling_lag.observe(max(0.0, (due.claimed_at - due.due_at).total_seconds()))
            task = asyncio.create_task(self._execute(due))
            self.running.add(task)
            task.add_done_callback(self.running.discard)
        self._gauge()
        return len(claimed)

    async def _execute(self, due: DueCheck) -> None:
        async with self._slots:
            checked_at = self.clock()
            try:
                outcome = await self.checker.check(due.kind, due.config, due.timeout_seconds)
            except Exception as e:  # a bug in a check must not stop the runner
                log.exception("check crashed", extra={"check_id": due.check_id, "monitor_id": due.monitor_id})
                outcome = CheckOutcome(state=State.DOWN, message=f"internal error: {type(e).__name__}")
        self.metrics.count_check(due.kind.value, outcome.state.value)
        log.info(
            "check %s",
            outcome.state.value,
            extra={
                "check_id": due.check_id,
                "monitor_id": due.monitor_id,
                "state": outcome.state.value,
                "latency_ms": outcome.latency_ms,
            },
        )
        self.pending.append(NewResult(monitor_id=due.monitor_id, checked_at=checked_at, outcome=outcome))
        if len(self.pending) >= self.settings.runner_batch_size:
            self._full.set()
        self._gauge()

    async def flush(self) -> int:
        """Record the pending results in one transaction; how many. On a database error they are
        kept for the next flush."""
        self._full.clear()
        batch, self.pending = self.pending, []
        if not batch:
            return 0
        try:
            await self._db(record_results, results=batch, now=self.clock())
        except Exception:
            log.exception(
                "cannot record results; keeping them for the next flush", extra={"count": len(batch)}
            )
            self.pending[:0] = batch
            return 0
        finally:
            self._gauge()
        return len(batch)

    async def housekeeping(self, *, with_prune: bool) -> None:
        """Prove liveness, expire silent heartbeats and, when asked, prune old data."""
        now = self.clock()
        await self._db(touch_liveness, runner_name=self.name, now=now)
        await self._db(expire_heartbeats, now=now)
        if with_prune:
            await self._db(prune, now=now, settings=self.settings)

    async def operations(self, *, slow: bool) -> dict[str, Any]:
        """One operations tick (incidents, timers, escalations, deliveries; `slow`: burn-rate alerts
        and period closing) in a worker thread."""
        done = await asyncio.to_thread(
            operations_tick,
            self.sessions,
            now=self.clock(),
            sender=self.sender,
            settings=self.settings,
            slow=slow,
        )
        self.metrics.count_operations(done)
        return done

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set, then let running checks finish and flush what they found."""
        await self.start()
        flusher = asyncio.create_task(self._flush_loop(stop))
        chores = asyncio.create_task(self._chores_loop(stop))
        operations = asyncio.create_task(self._operations_loop(stop))
        try:
            while not stop.is_set():
                try:
                    await self.tick()
                except Exception:
                    log.exception("cannot claim due checks")
                await _wait(stop, self.timings.tick)
        finally:
            if self.running:
                await asyncio.wait(set(self.running), timeout=self.timings.drain)
            await asyncio.gather(flusher, chores, operations, return_exceptions=True)
            await self.flush()

    async def _flush_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), self.settings.runner_flush_seconds)
            await self.flush()

    async def _chores_loop(self, stop: asyncio.Event) -> None:
        last_prune = time.monotonic()
        while not await _wait(stop, self.timings.housekeeping):
            due = time.monotonic() - last_prune >= self.timings.prune
            try:
                await self.housekeeping(with_prune=due)
            except Exception:
                log.exception("housekeeping failed")
            if due:
                last_prune = time.monotonic()

    async def _operations_loop(self, stop: asyncio.Event) -> None:
        last_slow: float | None = None
        while not await _wait(stop, self.timings.operations):
            slow = last_slow is None or time.monotonic() - last_slow >= self.timings.slow_operations
            try:
                await self.operations(slow=slow)
            except Exception:  # operations_tick logs its own steps; this is the thread itself failing
                log.exception("operations tick failed")
            if slow:
                last_slow = time.monotonic()

    def _gauge(self) -> None:
        self.metrics.queue_depth.labels(queue="checks").set(len(self.running))
        self.metrics.queue_depth.labels(queue="results").set(len(self.pending))


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds` or until `stop`; whether `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
