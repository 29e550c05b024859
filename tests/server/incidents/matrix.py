# ruff: noqa: E501 (one line per route)
"""Authorization matrix rows for incidents, breaches and escalation policies (see tests/server/matrix.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.incidents.models import EscalationPolicy, Incident, IncidentSource, IncidentStatus
from pysteward.server.slas.models import Priority
from tests.server.conftest import Personas
from tests.server.matrix import Access, Factory, Rule, next_number

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _client_of(world: Personas, side: str) -> int:
    return world.acme if side == "own" else world.globex


def _service(session: Session, world: Personas, role: str, side: str) -> int:
    row = Service(client_id=_client_of(world, side), name=f"incident service {next_number()}")
    session.add(row)
    session.commit()
    return row.id


def _incident(
    session: Session, world: Personas, role: str, side: str, status: IncidentStatus = IncidentStatus.TRIGGERED
) -> int:
    service_id = _service(session, world, role, side)
    row = Incident(
        client_id=_client_of(world, side),
        service_id=service_id,
        title=f"incident {next_number()}",
        priority=Priority.P2,
        status=status,
        source=IncidentSource.API,
        opened_at=NOW,
        resolved_at=NOW if status is IncidentStatus.RESOLVED else None,
    )
    session.add(row)
    session.commit()
    return row.id


def _resolved(session: Session, world: Personas, role: str, side: str) -> int:
    return _incident(session, world, role, side, IncidentStatus.RESOLVED)


def _paused(session: Session, world: Personas, role: str, side: str) -> int:
    incident_id = _incident(session, world, role, side)
    incident = session.get_one(Incident, incident_id)
    incident.paused_since = NOW
    session.commit()
    return incident_id


def _policy(session: Session, world: Personas, role: str, side: str) -> int:
    row = EscalationPolicy(client_id=_client_of(world, side), name=f"policy {next_number()}")
    session.add(row)
    session.commit()
    return row.id


FACTORIES: dict[str, Factory] = {
    "incident": _incident,
    "resolved_incident": _resolved,
    "paused_incident": _paused,
    "incident_service": _service,
    "escalation_policy": _policy,
    "provider_user": lambda session, world, role, side: world["engineer"].user_id,
}

# fmt: off
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/incidents"): Rule(Access.AUTHENTICATED),
    ("POST", "/api/v1/incidents"): Rule(Access.CREATE, kind="incident_service", body=lambda t: {"service_id": t.object_id, "title": f"i {t.n}", "priority": "P2"}),
    ("GET", "/api/v1/incidents/{incident_id}"): Rule(Access.READ, kind="incident"),
    ("PATCH", "/api/v1/incidents/{incident_id}"): Rule(Access.WRITE, kind="incident", body=lambda t: {"title": f"renamed {t.n}"}),
    ("GET", "/api/v1/incidents/{incident_id}/events"): Rule(Access.READ, kind="incident"),
    ("POST", "/api/v1/incidents/{incident_id}/acknowledge"): Rule(Access.WRITE, kind="incident"),
    ("POST", "/api/v1/incidents/{incident_id}/assign"): Rule(Access.WRITE, kind="incident", body=lambda t: {"assignee_id": None}),
    ("POST", "/api/v1/incidents/{incident_id}/pause"): Rule(Access.WRITE, kind="incident", body=lambda t: {"note": "waiting"}),
    ("POST", "/api/v1/incidents/{incident_id}/resume"): Rule(Access.WRITE, kind="paused_incident"),
    ("POST", "/api/v1/incidents/{incident_id}/resolve"): Rule(Access.WRITE, kind="incident", body=lambda t: {"note": "done"}),
    ("POST", "/api/v1/incidents/{incident_id}/reopen"): Rule(Access.WRITE, kind="resolved_incident", body=lambda t: {"note": "again"}),
    ("POST", "/api/v1/incidents/{incident_id}/comments"): Rule(Access.WRITE, kind="incident", body=lambda t: {"message": "looking"}),
    ("GET", "/api/v1/breaches"): Rule(Access.AUTHENTICATED),
    ("GET", "/api/v1/escalation-policies"): Rule(Access.AUTHENTICATED),
    ("POST", "/api/v1/escalation-policies"): Rule(Access.CREATE, kind="provider_user", body=lambda t: {"name": f"p {t.n}", "client_id": t.client_id, "steps": [{"after_minutes": 0, "user_id": t.object_id}]}),
    ("GET", "/api/v1/escalation-policies/{policy_id}"): Rule(Access.READ, kind="escalation_policy"),
    ("PATCH", "/api/v1/escalation-policies/{policy_id}"): Rule(Access.WRITE, kind="escalation_policy", body=lambda t: {"repeat_times": 2}),
    ("DELETE", "/api/v1/escalation-policies/{policy_id}"): Rule(Access.WRITE, kind="escalation_policy"),
}
# fmt: on
