"""Every server model, imported once so `metadata` is complete (Alembic compares against it)."""

from pysteward.server.estate.models import Service
from pysteward.server.monitors.models import CheckResult, Monitor, Rollup, RunnerLiveness, StateInterval
from pysteward.server.tenancy.models import ApiToken, Client, User, WebSession
from pysteward.store.base import Base

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "CheckResult",
    "Client",
    "Monitor",
    "Rollup",
    "RunnerLiveness",
    "Service",
    "StateInterval",
    "User",
    "WebSession",
    "metadata",
]
