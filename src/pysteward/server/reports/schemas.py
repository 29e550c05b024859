"""HTTP schemas of the reports domain (STYLE 25): generate a report, deliver it, and its metadata."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from pysteward.server.estate.schemas import StrictModel
from pysteward.server.pagination import MAX_ID
from pysteward.server.reports.models import ReportKind

__all__ = ["DeliveryQueued", "ReportCreate", "ReportDeliver", "ReportFilters", "ReportPublic"]

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PeriodText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[0-9A-Za-z-]+$"),
]


class ReportCreate(StrictModel):
    """Generate a client's report for a period (a new version if that period has one already)."""

    client_id: Id
    kind: ReportKind = ReportKind.MONTHLY
    period: PeriodText = Field(
        default="previous",
        description="`previous` (the last closed period), `current`, `2026-11` (monthly) or `2026-W47` "
        "(weekly), in the client's report time zone.",
    )


class ReportDeliver(StrictModel):
    """Deliver a report through notification channels of its client."""

    channel_ids: Annotated[list[Id], Field(max_length=50)] | None = Field(
        default=None,
        description="The channels to use; null: every enabled, subscribed client-wide channel of the client.",
    )


class ReportPublic(BaseModel):
    """One archived version of a report (the HTML and PDF are downloaded separately)."""

    id: int
    client_id: int
    kind: ReportKind
    period: str
    """`2026-11` or `2026-W47`."""
    period_start: datetime
    period_end: datetime
    timezone: str
    version: int
    latest_version: int
    """The highest version of the same period: this one is current when they are equal."""
    sha256: str
    """SHA-256 of the PDF, hex."""
    pdf_bytes: int
    created_at: datetime
    created_by: int | None
    """The user who asked for it; null when the schedule generated it."""
    pdf_path: str
    html_path: str
    console_path: str


class DeliveryQueued(BaseModel):
    """The deliveries queued for a report; the runner sends them."""

    report_id: int
    delivery_ids: list[int]
    channel_ids: list[int]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportFilters:
    """What to narrow a report list to."""

    client_id: int | None = None
    kind: ReportKind | None = None
