# ruff: noqa: E501 (one line per route)
"""Authorization matrix rows for assessment runs (see tests/server/matrix.py).

The console's assessment pages are for provider staff only: a client viewer gets 403 whichever
client the object belongs to, which is what `Access.CREATE` expects. Running from the form looks the
service up first (404 for another client's), then refuses a viewer (403), as the API does.
The services to run on have a repository path that does not exist here, so every run is a failed
run: still a 201 (or a 303 from the form), which is what the matrix checks.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from tests.server.conftest import Personas
from tests.server.matrix import Access, Factory, Rule, next_number

SUMMARY = {
    "findings": 0,
    "by_severity": dict.fromkeys(("malicious", "critical", "high", "medium", "low", "unknown", "info"), 0),
    "by_kind": dict.fromkeys(
        ("malicious", "vulnerabilities", "runtime", "licenses", "health", "sast", "hygiene"), 0
    ),
    "critical_vulnerabilities": 0,
    "vulnerabilities": 0,
    "license_issues": 0,
    "eol_runtimes": [],
    "runtimes": [],
    "components": [],
}
"""A succeeded run's summary with nothing found, as the readers' contract has it (no extra keys)."""

# fmt: off
RULES: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/services/{service_id}/assessments"): Rule(Access.WRITE, kind="assessable_service"),
    ("GET", "/api/v1/services/{service_id}/assessments"): Rule(Access.READ, kind="service"),
    ("GET", "/api/v1/assessments/{run_id}"): Rule(Access.READ, kind="assessment_run"),
    ("GET", "/api/v1/assessments/{run_id}/diff"): Rule(Access.READ, kind="assessment_run"),
    ("GET", "/assessments"): Rule(Access.CREATE),
    ("POST", "/assessments/services/{service_id}/run"): Rule(Access.WRITE, kind="assessable_service", body=lambda t: {}),
    ("GET", "/assessments/{run_id}"): Rule(Access.CREATE, kind="assessment_run"),
}
# fmt: on


def _assessable_service(session: Session, world: Personas, role: str, side: str) -> int:
    service = Service(
        client_id=world.acme if side == "own" else world.globex,
        name=f"assessed {next_number()}",
        repository_paths=["/srv/matrix/not-checked-out"],
    )
    session.add(service)
    session.commit()
    return service.id


def _assessment_run(session: Session, world: Personas, role: str, side: str) -> int:
    run = AssessmentRun(
        service_id=_assessable_service(session, world, role, side),
        repository_path="/srv/matrix/not-checked-out",
        status=AssessmentStatus.SUCCEEDED,
        started_at=datetime(2026, 11, 1, tzinfo=UTC),
        finished_at=datetime(2026, 11, 1, 0, 0, 2, tzinfo=UTC),
        risk_score=0.0,
        risk_grade="A",
        summary=SUMMARY,
        findings=[],
    )
    session.add(run)
    session.commit()
    return run.id


FACTORIES: dict[str, Factory] = {
    "assessable_service": _assessable_service,
    "assessment_run": _assessment_run,
}
