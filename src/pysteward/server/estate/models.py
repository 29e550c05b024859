"""Services: the Python systems a client hands over, with their owners, repositories and tags."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pysteward.store.base import Base, UTCDateTime, utcnow

__all__ = ["AssessmentRun", "AssessmentStatus", "Service"]


class Service(Base):
    """A Python system of one client, in one environment (production, staging, …)."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("client_id", "name", "environment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    environment: Mapped[str] = mapped_column(String(64), default="production")
    owners: Mapped[list[str]] = mapped_column(JSON, default=list)
    """E-mail addresses or names of the people responsible on the client's side."""
    repository_paths: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Where the code lives, for later assessments (paths or repository URLs)."""
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssessmentStatus(enum.StrEnum):
    """Where an assessment run stands."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class AssessmentRun(Base):
    """One `steward assess` of a service's repository path, kept for history and differences.

    `summary` holds the counts reports need (critical vulnerabilities, end-of-life runtimes, license
    issues, by severity); `findings` one entry per finding with a stable `key`, so two runs compare.
    """

    __tablename__ = "assessment_runs"
    __table_args__ = (Index("ix_assessment_runs_service_started", "service_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    repository_path: Mapped[str] = mapped_column(String(1000))
    status: Mapped[AssessmentStatus] = mapped_column(
        Enum(AssessmentStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    error: Mapped[str] = mapped_column(Text, default="")
    risk_score: Mapped[float | None] = mapped_column(Float)
    risk_grade: Mapped[str | None] = mapped_column(String(2))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
