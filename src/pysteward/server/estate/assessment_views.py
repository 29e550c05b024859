"""Console pages for assessments (provider staff only; a client viewer gets 403, and sees the
assessment summary in their reports instead):

    GET  /assessments                               every service: latest run, risk grade, counts,
                                                    and a "Run assessment" form with its repository paths
    POST /assessments/services/{service_id}/run     run now, then 303 to the run's page
    GET  /assessments/{run_id}                      one run: summary, findings by kind and severity,
                                                    new and resolved since the previous run
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from pysteward.engine.risk import COMPONENTS
from pysteward.server.deps import DbSession
from pysteward.server.estate import assessments
from pysteward.server.estate.assessment_record import SEVERITIES
from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.estate.service import get_service_for, visible_clients
from pysteward.server.pagination import PathId
from pysteward.server.tenancy.models import Client, User
from pysteward.server.web.auth import StaffOnly, Web
from pysteward.server.web.templating import page
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

KIND_TITLES = {
    "malicious": "Malicious packages",
    "vulnerabilities": "Vulnerabilities",
    "runtime": "Python runtimes",
    "licenses": "Licenses",
    "health": "Maintenance health",
    "sast": "Code (Bandit)",
    "hygiene": "Hygiene",
}
_HISTORY = 10


@router.get("/assessments")
def assessments_index(request: Request, viewer: StaffOnly, session: DbSession) -> HTMLResponse:
    """Every service with its latest run and a form to run one now."""
    rows = session.execute(
        select(Service, Client.name)
        .join(Client, Client.id == Service.client_id)
        .where(visible_clients(viewer.principal))
        .order_by(Client.name, Service.name, Service.environment)
    ).all()
    ids = [service.id for service, _ in rows]
    latest = assessments.latest_runs(session, ids)
    last = assessments.latest_runs(session, ids, succeeded_only=False)
    services = [
        {"service": service, "client": client, "latest": latest.get(service.id), "last": last.get(service.id)}
        for service, client in rows
    ]
    context = {"viewer": viewer, "nav": "assessments", "services": services}
    return page(request, "assessments/index.html", context)


@router.post("/assessments/services/{service_id}/run")
def run_assessment(
    viewer: Web,
    session: DbSession,
    service_id: PathId,
    repository_path: Annotated[str | None, Form(max_length=500)] = None,
) -> RedirectResponse:
    """Run the assessment now and show it (a failed run too: its page says why)."""
    run = assessments.run_assessment(
        session,
        principal=viewer.principal,
        service_id=service_id,
        repository_path=repository_path or None,
        now=utcnow(),
    )
    return RedirectResponse(f"/assessments/{run.id}", status_code=303)


@router.get("/assessments/{run_id}")
def assessment_page(request: Request, viewer: StaffOnly, session: DbSession, run_id: PathId) -> HTMLResponse:
    """One run: its summary, findings grouped by kind and severity, and the difference from the
    previous succeeded run of the same service."""
    run = assessments.get_run_for(session, viewer.principal, run_id)
    service = get_service_for(session, viewer.principal, run.service_id)
    previous = assessments.previous_run(session, run)
    diff = None
    if run.status is AssessmentStatus.SUCCEEDED and previous is not None:
        diff = assessments.diff_findings(previous.findings, run.findings)
    context: dict[str, Any] = {
        "viewer": viewer,
        "nav": "assessments",
        "run": run,
        "service": service,
        "client": session.get_one(Client, service.client_id).name,
        "requested_by": _requester(session, run),
        "previous": previous,
        "diff": diff,
        "groups": _grouped(run.findings),
        "history": _history(session, run.service_id),
    }
    return page(request, "assessments/run.html", context)


def _requester(session: Session, run: AssessmentRun) -> str:
    if run.requested_by is None:
        return "the local operator"
    user = session.get(User, run.requested_by)
    return user.email if user is not None else f"user {run.requested_by}"


def _grouped(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings by kind (the risk score's order), worst severity first inside each kind."""
    groups = []
    for kind in COMPONENTS:
        mine = [f for f in findings if f["kind"] == kind]
        if not mine:
            continue
        mine.sort(key=lambda f: SEVERITIES.index(f["severity"]))
        counts = {s: sum(1 for f in mine if f["severity"] == s) for s in SEVERITIES}
        groups.append(
            {
                "kind": kind,
                "title": KIND_TITLES[kind],
                "findings": mine,
                "counts": {s: n for s, n in counts.items() if n},
            }
        )
    return groups


def _history(session: Session, service_id: int) -> list[AssessmentRun]:
    """The service's latest runs, newest first."""
    query = (
        select(AssessmentRun)
        .where(AssessmentRun.service_id == service_id)
        .options(defer(AssessmentRun.findings))
        .order_by(AssessmentRun.started_at.desc(), AssessmentRun.id.desc())
        .limit(_HISTORY)
    )
    return list(session.scalars(query))
