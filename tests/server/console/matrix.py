# ruff: noqa: E501 (one line per route)
"""Authorization matrix rows of the console's estate and incident pages (see tests/server/matrix.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.incidents.models import Incident, IncidentSource, IncidentStatus
from pysteward.server.slas.models import Priority
from tests.server.conftest import Personas
from tests.server.matrix import Access, Factory, Rule, next_number

OPENED = datetime(2030, 1, 1, tzinfo=UTC)


def _client_of(world: Personas, side: str) -> int:
    return world.acme if side == "own" else world.globex


def _service(session: Session, world: Personas, role: str, side: str) -> int:
    row = Service(client_id=_client_of(world, side), name=f"console service {next_number()}")
    session.add(row)
    session.commit()
    return row.id


def _incident(
    session: Session, world: Personas, role: str, side: str, *, resolved: bool = False, paused: bool = False
) -> int:
    row = Incident(
        client_id=_client_of(world, side),
        service_id=_service(session, world, role, side),
        title=f"console incident {next_number()}",
        priority=Priority.P2,
        status=IncidentStatus.RESOLVED if resolved else IncidentStatus.TRIGGERED,
        source=IncidentSource.MANUAL,
        opened_at=OPENED,
        resolved_at=OPENED if resolved else None,
        paused_since=OPENED if paused else None,
    )
    session.add(row)
    session.commit()
    return row.id


FACTORIES: dict[str, Factory] = {
    "console_service": _service,
    "console_incident": _incident,
    "console_resolved_incident": lambda session, world, role, side: _incident(
        session, world, role, side, resolved=True
    ),
    "console_paused_incident": lambda session, world, role, side: _incident(
        session, world, role, side, paused=True
    ),
}

# fmt: off
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/overview"): Rule(Access.AUTHENTICATED),
    ("GET", "/services/{service_id}"): Rule(Access.READ, kind="console_service"),
    ("GET", "/incidents"): Rule(Access.AUTHENTICATED),
    ("GET", "/incidents/{incident_id}"): Rule(Access.READ, kind="console_incident"),
    ("POST", "/incidents/{incident_id}/acknowledge"): Rule(Access.WRITE, kind="console_incident"),
    ("POST", "/incidents/{incident_id}/assign"): Rule(Access.WRITE, kind="console_incident", body=lambda t: {"assignee_id": ""}),
    ("POST", "/incidents/{incident_id}/pause"): Rule(Access.WRITE, kind="console_incident", body=lambda t: {"reason": "waiting"}),
    ("POST", "/incidents/{incident_id}/resume"): Rule(Access.WRITE, kind="console_paused_incident"),
    ("POST", "/incidents/{incident_id}/resolve"): Rule(Access.WRITE, kind="console_incident", body=lambda t: {"note": "done"}),
    ("POST", "/incidents/{incident_id}/reopen"): Rule(Access.WRITE, kind="console_resolved_incident", body=lambda t: {"note": "again"}),
    ("POST", "/incidents/{incident_id}/comment"): Rule(Access.WRITE, kind="console_incident", body=lambda t: {"message": "looking"}),
}
# fmt: on
