"""`/services/{id}/assessments` and `/assessments/{id}`: run `steward assess` on a service's
repository path, list the runs, show one with its findings, and its difference from the previous run.
Thin routes over `estate.assessments` (STYLE 25).

Running needs provider staff (404 first for another client's service, then 403 for a viewer);
reading needs a caller who sees the service's client. The run is synchronous (about a second for a
few dozen dependencies): the answer is the finished run, succeeded or failed.
"""

from __future__ import annotations

from fastapi import APIRouter

from pysteward.server.deps import CurrentUser, DbSession
from pysteward.server.errors import ApiError, error_responses
from pysteward.server.estate import assessments
from pysteward.server.estate.assessment_schemas import (
    AssessmentCreate,
    AssessmentDetail,
    AssessmentDiff,
    AssessmentPublic,
    FindingPublic,
)
from pysteward.server.estate.models import AssessmentStatus
from pysteward.server.pagination import Page, Paging, PathId
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(tags=["assessments"], responses=error_responses(400, 401, 422))


@router.post(
    "/services/{service_id}/assessments",
    status_code=201,
    summary="Assess a service's repository",
    responses=error_responses(403, 404),
)
def run_assessment(
    session: DbSession, principal: CurrentUser, service_id: PathId, data: AssessmentCreate | None = None
) -> AssessmentDetail:
    """Run the assessment now, offline, on a registered repository path (default: the first one).

    The answer is the stored run: `succeeded` with its findings, or `failed` with the reason in
    `error` (a missing checkout, no advisory database, an unreadable manifest). 422 for a path the
    service has not registered.
    """
    run = assessments.run_assessment(
        session,
        principal=principal,
        service_id=service_id,
        repository_path=data.repository_path if data is not None else None,
        now=utcnow(),
    )
    return AssessmentDetail.model_validate(run)


@router.get(
    "/services/{service_id}/assessments",
    summary="List a service's assessment runs",
    responses=error_responses(404),
)
def list_assessments(
    session: DbSession, principal: CurrentUser, service_id: PathId, page: Paging
) -> Page[AssessmentPublic]:
    """The runs of a service, oldest first, one page at a time, with their counts (not findings)."""
    items, next_after = assessments.list_runs(session, principal=principal, service_id=service_id, page=page)
    return Page(items=[AssessmentPublic.model_validate(r) for r in items], next_after=next_after)


@router.get("/assessments/{run_id}", summary="Show an assessment run", responses=error_responses(404))
def get_assessment(session: DbSession, principal: CurrentUser, run_id: PathId) -> AssessmentDetail:
    """One run with its whole summary and findings; 404 if missing or another client's."""
    return AssessmentDetail.model_validate(assessments.get_run_for(session, principal, run_id))


@router.get(
    "/assessments/{run_id}/diff",
    summary="Compare a run with the previous one",
    responses=error_responses(404, 409),
)
def diff_assessment(session: DbSession, principal: CurrentUser, run_id: PathId) -> AssessmentDiff:
    """Findings new since the service's previous succeeded run, resolved since, and unchanged.

    Without a previous run every finding is new (`previous_run_id` null); 409 for a run that did
    not succeed, which has no findings to compare.
    """
    run = assessments.get_run_for(session, principal, run_id)
    if run.status is not AssessmentStatus.SUCCEEDED:
        raise ApiError(409, f"assessment run {run_id} {run.status.value}: it has no findings to compare")
    previous = assessments.previous_run(session, run)
    diff = assessments.diff_findings(previous.findings if previous else None, run.findings)
    return AssessmentDiff(
        run_id=run.id,
        previous_run_id=previous.id if previous else None,
        new=[FindingPublic.model_validate(f) for f in diff.new],
        resolved=[FindingPublic.model_validate(f) for f in diff.resolved],
        unchanged=[FindingPublic.model_validate(f) for f in diff.unchanged],
    )
