"""The value every check produces, whatever its kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pysteward.server.monitors.models import State

__all__ = ["CheckOutcome"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOutcome:
    """What one check saw: UP, DEGRADED (answering outside a soft limit) or DOWN, with why."""

    state: State
    latency_ms: float | None = None
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.state not in {State.UP, State.DOWN, State.DEGRADED}:
            raise ValueError(f"a check outcome is up, down or degraded, not {self.state.value}")
