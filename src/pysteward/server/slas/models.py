"""SLAs: targets, measurement windows, accounting policies (versioned), maintenance windows,
business calendars, P1–P4 response and resolution targets, closed-period figures and burn alerts.

An SLA belongs to a client and covers one of its services, or all of them when `service_id` is None.
Its accounting policy is never edited in place: a change adds a version, and a closed period keeps
the version its figure was computed with (`PeriodFigure.policy_id`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from pysteward.store.base import Base, UTCDateTime, utcnow

__all__ = [
    "AccountingPolicy",
    "BurnAlert",
    "BusinessCalendar",
    "Clock",
    "Combine",
    "DegradedAs",
    "MaintenanceKind",
    "MaintenanceWindow",
    "PeriodFigure",
    "Priority",
    "PriorityTarget",
    "Rounding",
    "Sla",
    "TargetUnit",
    "UnknownAs",
    "WindowKind",
    "str_enum",
]


def str_enum(kind: type[enum.StrEnum], length: int = 16) -> Enum:
    """A string column holding `kind`'s values (no native enum type, so adding a value needs no DDL)."""
    return Enum(kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Priority(enum.StrEnum):
    """Incident priority, P1 (most urgent) to P4."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class WindowKind(enum.StrEnum):
    """The period an availability target is measured over, in the SLA's time zone."""

    MONTH = "month"
    WEEK = "week"
    """ISO weeks, Monday to Monday."""
    QUARTER = "quarter"
    ROLLING_28D = "rolling_28d"
    """The 28 days up to now; as closed periods, consecutive 28-day blocks from the SLA's start."""


class UnknownAs(enum.StrEnum):
    """How time with no data (nobody was looking) counts."""

    EXCLUDE = "exclude"
    UP = "up"
    DOWN = "down"


class DegradedAs(enum.StrEnum):
    """How degraded time (answering, outside a soft limit) counts."""

    UP = "up"
    DOWN = "down"


class Combine(enum.StrEnum):
    """How a service's monitors combine into the service's state."""

    ALL = "all"
    """The service is up only while every monitor is up (any monitor down is service downtime)."""
    ANY = "any"
    """The service is up while at least one monitor is up (downtime only when all are down)."""


class Rounding(enum.StrEnum):
    """How an availability percentage is rounded to the policy's decimals."""

    DOWN = "down"
    """Towards zero: 99.9996 shows as 99.999 with 3 decimals, never rounding a miss into a hit."""
    HALF_EVEN = "half_even"


class Clock(enum.StrEnum):
    """Which clock a response or resolution target runs on."""

    ALWAYS = "24x7"
    BUSINESS = "business"


class TargetUnit(enum.StrEnum):
    """The unit of a response or resolution target."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    """On the business clock, business days (same business time of day, N business days later)."""


class MaintenanceKind(enum.StrEnum):
    """A maintenance window happens once, or recurs by a cron expression or an RFC 5545 RRULE."""

    ONCE = "once"
    CRON = "cron"
    RRULE = "rrule"


class BusinessCalendar(Base):
    """Business hours in a time zone: weekly hours and holidays (dates in that zone)."""

    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    """None: a provider calendar any client's SLA may use."""
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekly_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(JSON, default=dict)
    """Day name (`mon` … `sun`) to a list of `["09:00", "17:00"]` spans in local time."""
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    """ISO dates (`2026-12-25`) with no business hours."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Sla(Base):
    """An availability target and incident targets for a client's service, or all its services."""

    __tablename__ = "slas"
    __table_args__ = (
        # One SLA per service, and one client-wide SLA per client, even when two requests race.
        Index(
            "uq_slas_client_wide",
            "client_id",
            unique=True,
            sqlite_where=text("service_id IS NULL"),
            postgresql_where=text("service_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True, unique=True
    )
    """None: the SLA covers every service of the client without an SLA of its own."""
    name: Mapped[str] = mapped_column(String(200))
    target: Mapped[float] = mapped_column(Float)
    """Availability target in percent (99.9); read as a decimal through `str()`, never as binary."""
    window: Mapped[WindowKind] = mapped_column(str_enum(WindowKind), default=WindowKind.MONTH)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    """Where windows begin and end (a calendar month in Europe/Paris starts at local midnight)."""
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id", ondelete="SET NULL"))
    """The business calendar of business-clock targets; None: Monday to Friday 09:00–17:00 in
    `timezone`."""
    escalation_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalation_policies.id", ondelete="SET NULL")
    )
    page_priority: Mapped[Priority | None] = mapped_column(str_enum(Priority), default=Priority.P2)
    """A fast-burn (page) alert opens an incident of this priority; None: the alert is only recorded."""
    ticket_priority: Mapped[Priority | None] = mapped_column(str_enum(Priority), default=Priority.P4)
    """A slow-burn (ticket) alert opens an incident of this priority; None: only recorded."""
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When the agreement took effect: no period before it is reported."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccountingPolicy(Base):
    """One version of how an SLA's availability is counted; rows are never updated."""

    __tablename__ = "accounting_policies"
    __table_args__ = (UniqueConstraint("sla_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sla_id: Mapped[int] = mapped_column(ForeignKey("slas.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    unknown_as: Mapped[UnknownAs] = mapped_column(str_enum(UnknownAs), default=UnknownAs.EXCLUDE)
    degraded_as: Mapped[DegradedAs] = mapped_column(str_enum(DegradedAs), default=DegradedAs.UP)
    combine: Mapped[Combine] = mapped_column(str_enum(Combine), default=Combine.ALL)
    decimals: Mapped[int] = mapped_column(default=3)
    rounding: Mapped[Rounding] = mapped_column(str_enum(Rounding), default=Rounding.DOWN)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    """Periods ending after this (and before the next version's) are computed with this version."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")


class PriorityTarget(Base):
    """Response and resolution targets of one priority under one SLA, each on its own clock."""

    __tablename__ = "priority_targets"

    sla_id: Mapped[int] = mapped_column(ForeignKey("slas.id", ondelete="CASCADE"), primary_key=True)
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), primary_key=True)
    response_amount: Mapped[int] = mapped_column()
    response_unit: Mapped[TargetUnit] = mapped_column(str_enum(TargetUnit))
    response_clock: Mapped[Clock] = mapped_column(str_enum(Clock))
    resolution_amount: Mapped[int] = mapped_column()
    resolution_unit: Mapped[TargetUnit] = mapped_column(str_enum(TargetUnit))
    resolution_clock: Mapped[Clock] = mapped_column(str_enum(Clock))


class MaintenanceWindow(Base):
    """Planned maintenance, excluded from both the measured time and the downtime."""

    __tablename__ = "maintenance_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    sla_id: Mapped[int] = mapped_column(ForeignKey("slas.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MaintenanceKind] = mapped_column(str_enum(MaintenanceKind))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """Once: the start. Recurring: when the recurrence begins (the RRULE's DTSTART)."""
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Once: the end. Recurring: when the recurrence stops (None: never)."""
    expression: Mapped[str] = mapped_column(String(500), default="")
    """Cron expression (`0 2 * * sun`) or RRULE (`FREQ=WEEKLY;BYDAY=SU;BYHOUR=2`), in `timezone`."""
    duration_minutes: Mapped[int] = mapped_column(default=0)
    """Recurring: how long each occurrence lasts."""
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PeriodFigure(Base):
    """A closed period's availability for one service under one SLA, frozen when it closed."""

    __tablename__ = "period_figures"
    __table_args__ = (UniqueConstraint("sla_id", "service_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sla_id: Mapped[int] = mapped_column(ForeignKey("slas.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    policy_id: Mapped[int] = mapped_column(ForeignKey("accounting_policies.id", ondelete="RESTRICT"))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Seconds up, down, excluded (maintenance, unknown), the availability as a decimal string."""
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BurnAlert(Base):
    """A multiwindow burn-rate alert: fired while both its windows burn faster than its factor."""

    __tablename__ = "burn_alerts"
    __table_args__ = (
        # One open alert per rule and service, even with several workers evaluating at once.
        Index(
            "uq_burn_alerts_open",
            "sla_id",
            "service_id",
            "rule",
            unique=True,
            sqlite_where=text("cleared_at IS NULL"),
            postgresql_where=text("cleared_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sla_id: Mapped[int] = mapped_column(ForeignKey("slas.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    """`page-1h`, `page-6h` or `ticket-3d` (the long window names the rule)."""
    severity: Mapped[str] = mapped_column(String(16))
    """`page` or `ticket`."""
    factor: Mapped[float] = mapped_column(Float)
    """The burn-rate threshold, scaled to the SLA's window."""
    long_burn: Mapped[float] = mapped_column(Float)
    short_burn: Mapped[float] = mapped_column(Float)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
