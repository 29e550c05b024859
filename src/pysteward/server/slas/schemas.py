"""HTTP schemas of the slas domain (STYLE 25): calendars, SLAs, accounting policies, priority targets,
maintenance windows, availability figures and burn alerts, each as `XCreate`/`XUpdate`/`XPublic`.

Targets travel as decimal strings (`"99.9"`), never as binary floats, so 99.9 does not come back as
99.90000000000001. Time zones are checked against the system's zone database up front.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from pysteward.server.estate.schemas import StrictModel
from pysteward.server.pagination import MAX_ID
from pysteward.server.slas.models import (
    Clock,
    Combine,
    DegradedAs,
    MaintenanceKind,
    Priority,
    Rounding,
    TargetUnit,
    UnknownAs,
    WindowKind,
)

__all__ = [
    "AvailabilityPublic",
    "BudgetPublic",
    "BurnAlertPublic",
    "CalendarCreate",
    "CalendarPublic",
    "CalendarUpdate",
    "FigurePublic",
    "MaintenanceCreate",
    "MaintenancePublic",
    "OutagePublic",
    "PeriodPublic",
    "PolicyCreate",
    "PolicyPublic",
    "SlaCreate",
    "SlaDetail",
    "SlaFilters",
    "SlaPublic",
    "SlaUpdate",
    "TargetPublic",
    "TargetSet",
]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=9, decimal_places=6)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _known_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: "America" names a folder of the zone database, not a zone (IsADirectoryError).
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


Zone = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), AfterValidator(_known_zone)
]
OFFICE_HOURS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class CalendarCreate(StrictModel):
    """A business calendar: a client's, or the provider's (`client_id` null, staff only)."""

    client_id: Id | None = None
    name: Name
    timezone: Zone = "UTC"
    weekly_hours: dict[str, list[list[str]]] = Field(default_factory=lambda: dict(OFFICE_HOURS))
    holidays: list[str] = Field(default_factory=list, max_length=1000)


class CalendarUpdate(StrictModel):
    """Changes to a calendar; absent or null fields stay as they are. The client cannot change."""

    name: Name | None = None
    timezone: Zone | None = None
    weekly_hours: dict[str, list[list[str]]] | None = None
    holidays: list[str] | None = Field(default=None, max_length=1000)


class CalendarPublic(BaseModel):
    """A business calendar as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    client_id: int | None
    name: str
    timezone: str
    weekly_hours: dict[str, list[list[str]]]
    holidays: list[str]
    created_at: datetime


class PolicyCreate(StrictModel):
    """How availability is counted from a given time on (a new version of the SLA's policy)."""

    unknown_as: UnknownAs = UnknownAs.EXCLUDE
    degraded_as: DegradedAs = DegradedAs.UP
    combine: Combine = Combine.ALL
    decimals: int = Field(default=3, ge=0, le=6)
    rounding: Rounding = Rounding.DOWN
    note: str = Field(default="", max_length=2000)


class PolicyPublic(BaseModel):
    """One version of an accounting policy, with its plain-words description and formula."""

    id: int
    version: int
    unknown_as: UnknownAs
    degraded_as: DegradedAs
    combine: Combine
    decimals: int
    rounding: Rounding
    effective_from: datetime
    created_by: int | None
    note: str
    description: str
    formula: str


class TargetSet(StrictModel):
    """Response and resolution targets of one priority."""

    response_amount: int = Field(ge=1, le=100_000)
    response_unit: TargetUnit
    response_clock: Clock
    resolution_amount: int = Field(ge=1, le=100_000)
    resolution_unit: TargetUnit
    resolution_clock: Clock


class TargetPublic(BaseModel):
    """The targets of one priority under an SLA."""

    model_config = ConfigDict(from_attributes=True)

    priority: Priority
    response_amount: int
    response_unit: TargetUnit
    response_clock: Clock
    resolution_amount: int
    resolution_unit: TargetUnit
    resolution_clock: Clock


class SlaCreate(StrictModel):
    """A new SLA of a client: for one service (`service_id`) or all its services without their own."""

    client_id: Id
    service_id: Id | None = None
    name: Name
    target: Percent
    window: WindowKind = WindowKind.MONTH
    timezone: Zone = "UTC"
    calendar_id: Id | None = None
    escalation_policy_id: Id | None = None
    page_priority: Priority | None = Priority.P2
    ticket_priority: Priority | None = Priority.P4
    starts_at: AwareDatetime | None = None
    """Default: now."""
    policy: PolicyCreate | None = None
    """Version 1 of the accounting policy; default: the defaults of `PolicyCreate`."""
    targets: dict[Priority, TargetSet] | None = None
    """Targets replacing the defaults of the priorities given."""


class SlaUpdate(StrictModel):
    """Changes to an SLA. Absent fields stay; `calendar_id`, `escalation_policy_id`,
    `page_priority` and `ticket_priority` may be set to null. Client and service cannot change."""

    name: Name | None = None
    target: Percent | None = None
    window: WindowKind | None = None
    timezone: Zone | None = None
    calendar_id: Id | None = None
    escalation_policy_id: Id | None = None
    page_priority: Priority | None = None
    ticket_priority: Priority | None = None
    starts_at: AwareDatetime | None = None


class SlaPublic(BaseModel):
    """An SLA as lists show it."""

    id: int
    client_id: int
    service_id: int | None
    name: str
    target: Decimal
    window: WindowKind
    timezone: str
    calendar_id: int | None
    escalation_policy_id: int | None
    page_priority: Priority | None
    ticket_priority: Priority | None
    starts_at: datetime
    created_at: datetime


class MaintenanceCreate(StrictModel):
    """Planned maintenance: once (`starts_at`–`ends_at`), or recurring by cron or RRULE."""

    title: Name
    kind: MaintenanceKind
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    expression: str = Field(default="", max_length=500)
    duration_minutes: int = Field(default=0, ge=0, le=100_000)
    timezone: Zone = "UTC"


class MaintenancePublic(BaseModel):
    """A maintenance window as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    sla_id: int
    title: str
    kind: MaintenanceKind
    starts_at: datetime
    ends_at: datetime | None
    expression: str
    duration_minutes: int
    timezone: str
    created_at: datetime


class SlaDetail(SlaPublic):
    """One SLA with its current policy, its targets and its maintenance windows."""

    policy: PolicyPublic
    targets: list[TargetPublic]
    maintenance: list[MaintenancePublic]


class PeriodPublic(BaseModel):
    """A measurement period: `[start, end)` with its label (`2026-11`)."""

    label: str
    start: datetime
    end: datetime


class OutagePublic(BaseModel):
    """A span of downtime inside the period."""

    start: datetime
    end: datetime


class BudgetPublic(BaseModel):
    """The error budget of the whole period: downtime allowed by the target, used, and left."""

    allowed_seconds: float
    used_seconds: float
    remaining_seconds: float
    remaining_percent: Decimal | None


class FigurePublic(BaseModel):
    """One covered service's availability over a period, with the policy it was counted by."""

    service_id: int
    service_name: str
    stored: bool
    """True for a closed period's frozen figure."""
    percent: Decimal | None
    target: Decimal
    met: bool | None
    window_seconds: float
    measured_seconds: float
    up_seconds: float
    down_seconds: float
    degraded_seconds: float
    unknown_seconds: float
    maintenance_seconds: float
    excluded_seconds: float
    outages: list[OutagePublic]
    budget: BudgetPublic
    policy_version: int
    policy: str
    formula: str


class AvailabilityPublic(BaseModel):
    """Availability of every service an SLA covers, over one period."""

    sla_id: int
    period: PeriodPublic
    measured_until: datetime
    figures: list[FigurePublic]


class BurnAlertPublic(BaseModel):
    """A burn-rate alert; open while `cleared_at` is null."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    sla_id: int
    service_id: int
    rule: str
    severity: str
    factor: float
    long_burn: float
    short_burn: float
    fired_at: datetime
    cleared_at: datetime | None
    incident_id: int | None


class SlaFilters(BaseModel):
    """What an SLA list is narrowed to; None means any."""

    client_id: int | None = None
    service_id: int | None = None
