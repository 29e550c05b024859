"""Incidents, their timeline, pauses, SLA breaches, and escalation policies.

Every timer is a stored timestamp (`response_due_at`, `resolution_warn_at`, `next_escalation_at`, …)
computed from other stored timestamps when something happens, and compared with the clock at every
tick, so a restart loses no timer (grafana/oncall#1206). A paused incident has no resolution due
time: its clock is stopped, and resuming moves the due time by the business time spent paused.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pysteward.server.slas.models import Priority, str_enum
from pysteward.store.base import Base, UTCDateTime, utcnow

__all__ = [
    "Breach",
    "EscalationPolicy",
    "EscalationStep",
    "Incident",
    "IncidentEvent",
    "IncidentPause",
    "IncidentSource",
    "IncidentStatus",
    "TimerState",
]

_BigId = BigInteger().with_variant(Integer(), "sqlite")


class IncidentStatus(enum.StrEnum):
    """Triggered → acknowledged → resolved; a resolved incident can be reopened (→ triggered)."""

    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class IncidentSource(enum.StrEnum):
    """What opened the incident."""

    MONITOR = "monitor"
    MANUAL = "manual"
    """By hand, in the CLI or the console."""
    API = "api"
    BURN_RATE = "burn_rate"


class TimerState(enum.StrEnum):
    """Where a response or resolution timer stands."""

    NONE = "none"
    """No target applies (no SLA covers the incident's service)."""
    RUNNING = "running"
    WARNING = "warning"
    """75 % of the target used."""
    BREACHED = "breached"
    MET = "met"
    """Stopped before the due time."""
    MISSED = "missed"
    """Stopped after the due time (breached, then answered or resolved)."""


class Incident(Base):
    """One outage or request, with its priority, lifecycle, SLA timers and escalation position."""

    __tablename__ = "incidents"
    __table_args__ = (
        # One open incident per monitor: flapping reopens it rather than opening another.
        Index(
            "uq_incidents_open_monitor",
            "monitor_id",
            unique=True,
            sqlite_where=text("status != 'resolved' AND monitor_id IS NOT NULL"),
            postgresql_where=text("status != 'resolved' AND monitor_id IS NOT NULL"),
        ),
        Index("ix_incidents_status_opened", "status", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    monitor_id: Mapped[int | None] = mapped_column(ForeignKey("monitors.id", ondelete="SET NULL"))
    sla_id: Mapped[int | None] = mapped_column(ForeignKey("slas.id", ondelete="SET NULL"))
    """The SLA whose targets time this incident (fixed when it opens)."""
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[Priority] = mapped_column(str_enum(Priority))
    status: Mapped[IncidentStatus] = mapped_column(str_enum(IncidentStatus), default=IncidentStatus.TRIGGERED)
    source: Mapped[IncidentSource] = mapped_column(str_enum(IncidentSource))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Timers (see the module docstring).
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Waiting for the client since then: the resolution clock is stopped."""
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    response_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_state: Mapped[TimerState] = mapped_column(str_enum(TimerState), default=TimerState.NONE)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolution_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_state: Mapped[TimerState] = mapped_column(str_enum(TimerState), default=TimerState.NONE)

    # Escalation: the n-th notification of the policy's schedule fires at `next_escalation_at`.
    escalation_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalation_policies.id", ondelete="SET NULL")
    )
    escalation_anchor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the current escalation started (opening or reopening)."""
    escalations_fired: Mapped[int] = mapped_column(default=0)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class IncidentEvent(Base):
    """One entry of an incident's timeline (opened, acknowledged, paused, escalated, breached, …)."""

    __tablename__ = "incident_events"
    __table_args__ = (Index("ix_incident_events_incident_at", "incident_id", "at"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The user who did it; None for Steward itself (a monitor, a timer, an escalation)."""
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Shown on the client's status page (a public update written for the client's users)."""


class IncidentPause(Base):
    """A span while the incident waited for the client; the open one has no end."""

    __tablename__ = "incident_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")


class Breach(Base):
    """A fact for the reports: an incident's response or resolution target was missed."""

    __tablename__ = "breaches"
    __table_args__ = (UniqueConstraint("incident_id", "target", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    sla_id: Mapped[int | None] = mapped_column(ForeignKey("slas.id", ondelete="SET NULL"))
    priority: Mapped[Priority] = mapped_column(str_enum(Priority))
    target: Mapped[str] = mapped_column(String(16))
    """`response` or `resolution`."""
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When Steward saw it (the tick after `due_at`)."""


class EscalationPolicy(Base):
    """Who is told, and when, while an incident stays unacknowledged."""

    __tablename__ = "escalation_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    repeat_times: Mapped[int] = mapped_column(default=0)
    """After the last step, run the steps again this many times."""
    repeat_after_minutes: Mapped[int] = mapped_column(default=30)
    """The pause between the last step of one round and the first of the next."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EscalationStep(Base):
    """Notify a channel or a user `after_minutes` after the incident (re)opened, if unacknowledged."""

    __tablename__ = "escalation_steps"
    __table_args__ = (UniqueConstraint("policy_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("escalation_policies.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    after_minutes: Mapped[int] = mapped_column()
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
