"""Every server model, imported once so `metadata` is complete (Alembic compares against it)."""

from pysteward.server.estate.models import AssessmentRun, Service
from pysteward.server.incidents.models import (
    Breach,
    EscalationPolicy,
    EscalationStep,
    Incident,
    IncidentEvent,
    IncidentPause,
)
from pysteward.server.monitors.models import CheckResult, Monitor, Rollup, RunnerLiveness, StateInterval
from pysteward.server.notify.models import AdminNotice, Channel, Delivery, DeliveryAttempt
from pysteward.server.reports.models import Report
from pysteward.server.slas.models import (
    AccountingPolicy,
    BurnAlert,
    BusinessCalendar,
    MaintenanceWindow,
    PeriodFigure,
    PriorityTarget,
    Sla,
)
from pysteward.server.tenancy.models import ApiToken, Client, User, WebSession
from pysteward.store.base import Base

metadata = Base.metadata

__all__ = [
    "AccountingPolicy",
    "AdminNotice",
    "ApiToken",
    "AssessmentRun",
    "Breach",
    "BurnAlert",
    "BusinessCalendar",
    "Channel",
    "CheckResult",
    "Client",
    "Delivery",
    "DeliveryAttempt",
    "EscalationPolicy",
    "EscalationStep",
    "Incident",
    "IncidentEvent",
    "IncidentPause",
    "MaintenanceWindow",
    "Monitor",
    "PeriodFigure",
    "PriorityTarget",
    "Report",
    "Rollup",
    "RunnerLiveness",
    "Service",
    "Sla",
    "StateInterval",
    "User",
    "WebSession",
    "metadata",
]
