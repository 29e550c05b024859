"""Archived SLA reports: immutable, one row per generated version, with the hash of its content."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pysteward.store.base import Base, UTCDateTime, utcnow

__all__ = ["Report", "ReportKind"]


class ReportKind(enum.StrEnum):
    """The period a report covers."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Report(Base):
    """One generated version of a client's report for one period.

    Rows are never updated: generating the same period again adds the next `version`. `sha256` is the
    hash of the PDF, so a copy handed to a client can be checked against the archive.
    """

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("client_id", "kind", "period_start", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReportKind] = mapped_column(
        Enum(ReportKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The user who asked for it; None when the schedule generated it."""
