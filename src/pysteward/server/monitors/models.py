"""Monitors, their raw results, state intervals, rollups, and the runner's own liveness.

A result is one check. State intervals are what availability is computed from: consecutive spans of
one state per monitor, the last one open (`ended_at` is None). Rollups keep per-minute and per-hour
counts long after raw results are pruned.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pysteward.server.slas.models import Priority, str_enum
from pysteward.store.base import Base, UTCDateTime, utcnow

__all__ = ["CheckResult", "Monitor", "MonitorKind", "Rollup", "RunnerLiveness", "State", "StateInterval"]


class MonitorKind(enum.StrEnum):
    """How a monitor checks: it calls out (HTTP, TCP) or waits to be called (heartbeat)."""

    HTTP = "http"
    TCP = "tcp"
    HEARTBEAT = "heartbeat"


class State(enum.StrEnum):
    """The state of a monitor over an interval of time."""

    UP = "up"
    DOWN = "down"
    DEGRADED = "degraded"
    """Answering, but outside a soft limit (too slow, certificate expiring soon)."""
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"
    """Nobody was looking: before the first check, or while the runner was stopped."""


def _enum(kind: type[enum.StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


# SQLite's INTEGER PRIMARY KEY is its rowid only when declared exactly INTEGER.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


class Monitor(Base):
    """What to check for a service, how often, and the state it is in now."""

    __tablename__ = "monitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MonitorKind] = mapped_column(_enum(MonitorKind))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Kind-specific settings, validated by the monitor schemas (URL, method, expectations, cron, …)."""
    interval_seconds: Mapped[int] = mapped_column(default=60)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=10.0)
    failures_before_down: Mapped[int] = mapped_column(default=1)
    successes_before_up: Mapped[int] = mapped_column(default=1)
    maintenance: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)
    # No model default on purpose: the ORM would use it in place of an explicit None. The API's
    # default is P2, and migration 0002 gave existing monitors P2.
    incident_priority: Mapped[Priority | None] = mapped_column(str_enum(Priority))
    """Going DOWN opens an incident of this priority; None: no incident."""
    incident_cooldown_seconds: Mapped[int] = mapped_column(default=900, server_default="900")
    """Going DOWN again within this time of the incident's resolution reopens it (a flap)."""
    heartbeat_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Scheduling and current state, kept on the row so the runner claims due work with one query.
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    state: Mapped[State] = mapped_column(_enum(State), default=State.UNKNOWN)
    state_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    consecutive_successes: Mapped[int] = mapped_column(default=0)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Heartbeats: when the job last signalled its start (for run durations)."""


class CheckResult(Base):
    """One check of one monitor (or one heartbeat signal)."""

    __tablename__ = "check_results"
    __table_args__ = (Index("ix_check_results_monitor_checked", "monitor_id", "checked_at"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    monitor_id: Mapped[int] = mapped_column(ForeignKey("monitors.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    state: Mapped[State] = mapped_column(_enum(State))
    latency_ms: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StateInterval(Base):
    """A span of time a monitor spent in one state; the open one has no end."""

    __tablename__ = "state_intervals"
    __table_args__ = (Index("ix_state_intervals_monitor_started", "monitor_id", "started_at"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    monitor_id: Mapped[int] = mapped_column(ForeignKey("monitors.id", ondelete="CASCADE"))
    state: Mapped[State] = mapped_column(_enum(State))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Rollup(Base):
    """Counts of one monitor's checks in one minute or hour (`period` is 60 or 3600 seconds)."""

    __tablename__ = "rollups"

    monitor_id: Mapped[int] = mapped_column(ForeignKey("monitors.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[int] = mapped_column(primary_key=True)
    bucket_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    checks: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    latency_sum_ms: Mapped[float] = mapped_column(Float, default=0.0)
    latency_max_ms: Mapped[float] = mapped_column(Float, default=0.0)


class RunnerLiveness(Base):
    """When a runner last proved it was alive; a restart marks the gap since then `unknown`."""

    __tablename__ = "runner_liveness"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
