"""Services: the Python systems a client hands over, with their owners, repositories and tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pysteward.store.base import Base, UTCDateTime, utcnow

__all__ = ["Service"]


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
