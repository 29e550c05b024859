"""HTTP schemas for incidents and escalation policies (STYLE 25)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from pysteward.server.estate.schemas import StrictModel
from pysteward.server.incidents.models import IncidentSource, IncidentStatus, TimerState
from pysteward.server.pagination import MAX_ID
from pysteward.server.slas.models import Priority

__all__ = [
    "AssignBody",
    "BreachPublic",
    "CommentBody",
    "EscalationPolicyCreate",
    "EscalationPolicyPublic",
    "EscalationPolicyUpdate",
    "EventPublic",
    "IncidentCreate",
    "IncidentFilters",
    "IncidentPublic",
    "IncidentUpdate",
    "NoteBody",
    "StepIn",
    "StepPublic",
    "TimerPublic",
]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(max_length=10_000)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class IncidentCreate(StrictModel):
    """Open an incident by hand or through the API."""

    service_id: Id
    title: Title
    priority: Priority = Priority.P3
    description: Text = ""


class IncidentUpdate(StrictModel):
    """Change an incident's title, description or priority (a new priority re-times it)."""

    title: Title | None = None
    description: Text | None = None
    priority: Priority | None = None


class AssignBody(StrictModel):
    """Who works on it; null to unassign."""

    assignee_id: Id | None


class NoteBody(StrictModel):
    """A reason or note for a pause, a resolution or a reopening (may be empty)."""

    note: Text = ""


class CommentBody(StrictModel):
    """A comment on the timeline; `public` makes it an update on the client's status page."""

    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
    public: bool = False


class TimerPublic(BaseModel):
    """A response or resolution timer at the time of the request."""

    state: TimerState
    due_at: datetime | None
    warn_at: datetime | None
    remaining_seconds: float | None
    """Business time left on the timer's clock; negative once overdue; frozen while paused."""
    used_percent: float | None
    paused: bool


class IncidentPublic(BaseModel):
    """An incident with its timers."""

    id: int
    client_id: int
    service_id: int | None
    monitor_id: int | None
    sla_id: int | None
    title: str
    description: str
    priority: Priority
    status: IncidentStatus
    source: IncidentSource
    assignee_id: int | None
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    paused_since: datetime | None
    response: TimerPublic
    resolution: TimerPublic
    next_escalation_at: datetime | None
    escalations_fired: int


class EventPublic(BaseModel):
    """One entry of an incident's timeline."""

    id: int
    at: datetime
    kind: str
    actor_id: int | None
    message: str
    details: dict[str, Any]
    public: bool
    """Shown on the client's status page (a public update)."""


class BreachPublic(BaseModel):
    """A missed response or resolution target."""

    id: int
    incident_id: int
    client_id: int
    sla_id: int | None
    priority: Priority
    target: str
    due_at: datetime
    breached_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentFilters:
    """What to narrow an incident list to."""

    client_id: int | None = None
    service_id: int | None = None
    status: IncidentStatus | None = None
    priority: Priority | None = None
    open: bool | None = None


class StepIn(StrictModel):
    """One escalation step: notify a channel or a user after some minutes unacknowledged."""

    after_minutes: Annotated[int, Field(ge=0, le=60 * 24 * 30)]
    channel_id: Id | None = None
    user_id: Id | None = None

    @model_validator(mode="after")
    def _one_target(self) -> StepIn:
        if (self.channel_id is None) == (self.user_id is None):
            raise ValueError("give exactly one of channel_id and user_id")
        return self


class _PolicyFields(StrictModel):
    repeat_times: Annotated[int, Field(ge=0, le=20)] = 0
    repeat_after_minutes: Annotated[int, Field(ge=1, le=60 * 24)] = 30


class EscalationPolicyCreate(_PolicyFields):
    """A new escalation policy, for one client (client_id) or for any (null)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    client_id: Id | None = None
    steps: Annotated[list[StepIn], Field(min_length=1, max_length=20)]


class EscalationPolicyUpdate(StrictModel):
    """Changes to a policy; `steps` replaces all steps."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    repeat_times: Annotated[int, Field(ge=0, le=20)] | None = None
    repeat_after_minutes: Annotated[int, Field(ge=1, le=60 * 24)] | None = None
    steps: Annotated[list[StepIn], Field(min_length=1, max_length=20)] | None = None


class StepPublic(BaseModel):
    """A step as stored."""

    position: int
    after_minutes: int
    channel_id: int | None
    user_id: int | None


class EscalationPolicyPublic(BaseModel):
    """An escalation policy with its steps."""

    id: int
    client_id: int | None
    name: str
    repeat_times: int
    repeat_after_minutes: int
    steps: list[StepPublic]
