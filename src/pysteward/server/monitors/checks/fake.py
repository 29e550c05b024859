"""A fake checker for tests and demos (STYLE 10): scripted outcomes per monitor id, no network."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.models import MonitorKind, State

__all__ = ["FakeChecker"]


class FakeChecker:
    """Answers from `config["fake"]` ("up", "down", "degraded"; default "up") and counts calls.

    `delay` seconds per check (awaited, so concurrency can be observed); `running` and `peak` count
    checks in flight now and at most.
    """

    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[Mapping[str, Any]] = []
        self.running = 0
        self.peak = 0

    async def check(self, kind: MonitorKind, config: Mapping[str, Any], timeout: float) -> CheckOutcome:
        """The scripted outcome for `config`."""
        self.calls.append(config)
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
        finally:
            self.running -= 1
        state = State(config.get("fake", "up"))
        return CheckOutcome(state=state, latency_ms=12.5, message=f"fake {state.value}")
