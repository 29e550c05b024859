"""Assessment runs: `steward assess` on a service's registered repository path, kept as history.

    run_assessment     run the engine now (offline), store the run: running → succeeded or failed
    list_runs          one page of a service's runs, oldest first
    get_run_for        one run, 404 if missing or another client's
    previous_run       the latest succeeded run of the same service before a run
    latest_runs        the latest succeeded run per service (optionally started before a time), one query
    diff_findings      new, resolved and unchanged findings between two runs (pure)
    seed_demo_project  a small, realistic, vulnerable project for the demo

The run is synchronous: the request's worker thread (FastAPI runs sync routes in a thread pool) waits
for the engine, which takes about a second for a service with a few dozen dependencies. The engine
reads only local data: the advisory database and the package-index cache in the data directory
(`STEWARD_DATA_DIR`). Without an advisory database the run *fails* with the fix in its error, rather
than succeeding with zero vulnerabilities that reports would then show as "none open".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, defer

from pysteward.errors import InputError, InputErrors, StewardError
from pysteward.server.errors import ApiError
from pysteward.server.estate.assessment_demo import seed_demo_project
from pysteward.server.estate.assessment_record import FindingsDiff, RunRecord, diff_findings, record_of
from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.estate.service import get_service_for, keyset_page
from pysteward.server.pagination import PageParams
from pysteward.server.principal import Principal
from pysteward.server.tenancy.auth import require_writer

__all__ = [
    "FindingsDiff",
    "diff_findings",
    "get_run_for",
    "latest_runs",
    "list_runs",
    "previous_run",
    "run_assessment",
    "seed_demo_project",
]

log = logging.getLogger("pysteward.server")


def run_assessment(
    session: Session, *, principal: Principal, service_id: int, repository_path: str | None, now: datetime
) -> AssessmentRun:
    """Assess `repository_path` (default: the service's first registered path) and store the run.

    404 for a service `principal` does not see, 403 for a client viewer, 422 for a path the service
    has not registered. A run the engine cannot complete is stored as failed with the reason; earlier
    runs are never touched.
    """
    service = get_service_for(session, principal, service_id)
    require_writer(principal)  # after the look-up: another client's service answers 404, not 403
    path = _registered(service, repository_path)
    run = AssessmentRun(
        service_id=service.id,
        repository_path=path,
        status=AssessmentStatus.RUNNING,
        started_at=now,
        requested_by=principal.actor_id,
        summary={},
        findings=[],
    )
    session.add(run)
    session.commit()  # visible as running while the engine works
    started = time.monotonic()
    try:
        record = _assess(Path(path), now)
    except (StewardError, InputErrors) as error:
        _failed(run, _message(error))
    except Exception:
        # A bug in the engine must not leave the run "running" forever: record it, keep the trace.
        log.exception("assessment run %s of %s failed", run.id, path)
        _failed(run, "internal error while assessing; the server log has the details")
    else:
        _succeeded(run, record)
    run.finished_at = now + timedelta(seconds=time.monotonic() - started)
    session.commit()
    return run


def _registered(service: Service, repository_path: str | None) -> str:
    if not service.repository_paths:
        raise ApiError(422, f"service {service.id} has no repository path to assess; register one first")
    if repository_path is None:
        return service.repository_paths[0]
    if repository_path not in service.repository_paths:
        raise ApiError(422, f"{repository_path!r} is not a repository path of service {service.id}")
    return repository_path


def _assess(path: Path, now: datetime) -> RunRecord:
    """The engine on `path`, every check on, offline, judged on the day of `now`."""
    from pysteward.engine.advisories import default_db_path
    from pysteward.engine.assess import AssessRequest, assess, settings_for
    from pysteward.engine.checks import Check

    if not path.is_dir():
        raise InputError("not a directory on the server (assessments need a checkout)", path=path)
    config = settings_for(paths=[path], config_path=None, fail_on=None, pythons=[], eol_warning_days=None)
    request = AssessRequest(
        paths=(path,), config=config, on=now.date(), checks=frozenset(Check), offline=True
    )
    return record_of(assess(request, database=default_db_path()))


def _message(error: StewardError | InputErrors) -> str:
    if isinstance(error, InputErrors):
        return "; ".join(str(e) for e in error.leaves())
    return f"{error}; {error.hint}" if error.hint else str(error)


def _failed(run: AssessmentRun, error: str) -> None:
    run.status = AssessmentStatus.FAILED
    run.error = error


def _succeeded(run: AssessmentRun, record: RunRecord) -> None:
    run.status = AssessmentStatus.SUCCEEDED
    run.summary = record.summary
    run.findings = record.findings
    run.risk_score = record.risk_score
    run.risk_grade = record.risk_grade


def list_runs(
    session: Session, *, principal: Principal, service_id: int, page: PageParams
) -> tuple[list[AssessmentRun], int | None]:
    """One page of the runs of a service `principal` sees, oldest first, without their findings."""
    get_service_for(session, principal, service_id)
    query = (
        select(AssessmentRun)
        .where(AssessmentRun.service_id == service_id)
        .options(defer(AssessmentRun.findings))
    )
    rows, next_after = keyset_page(session, query, page, AssessmentRun.id)
    return [row[0] for row in rows], next_after


def get_run_for(session: Session, principal: Principal, run_id: int) -> AssessmentRun:
    """The run `run_id` if `principal` sees its service's client; 404 otherwise."""
    run = session.get(AssessmentRun, run_id)
    if run is not None:
        service = session.get_one(Service, run.service_id)
        if principal.sees_client(service.client_id):
            return run
    raise ApiError(404, f"assessment run {run_id} not found")


def previous_run(session: Session, run: AssessmentRun) -> AssessmentRun | None:
    """The latest succeeded run of the same service that started before `run` (ties: lower id)."""
    query = (
        select(AssessmentRun)
        .where(
            AssessmentRun.service_id == run.service_id,
            AssessmentRun.status == AssessmentStatus.SUCCEEDED,
            or_(
                AssessmentRun.started_at < run.started_at,
                and_(AssessmentRun.started_at == run.started_at, AssessmentRun.id < run.id),
            ),
        )
        .order_by(AssessmentRun.started_at.desc(), AssessmentRun.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def latest_runs(
    session: Session,
    service_ids: Iterable[int],
    *,
    before: datetime | None = None,
    succeeded_only: bool = True,
) -> dict[int, AssessmentRun]:
    """The latest succeeded run of each of `service_ids` that has one (started before `before` when
    given; of any status with `succeeded_only=False`), by service id, in one query. Findings are
    loaded only if read: `summary` is what overviews and reports need."""
    ids = sorted(set(service_ids))
    if not ids:
        return {}
    conditions: list[ColumnElement[bool]] = [AssessmentRun.service_id.in_(ids)]
    if succeeded_only:
        conditions.append(AssessmentRun.status == AssessmentStatus.SUCCEEDED)
    if before is not None:
        conditions.append(AssessmentRun.started_at < before)
    rank = (
        func.row_number()
        .over(
            partition_by=AssessmentRun.service_id,
            order_by=(AssessmentRun.started_at.desc(), AssessmentRun.id.desc()),
        )
        .label("rank")
    )
    ranked = select(AssessmentRun.id, rank).where(*conditions).subquery()
    query = (
        select(AssessmentRun)
        .join(ranked, ranked.c.id == AssessmentRun.id)
        .where(ranked.c.rank == 1)
        .options(defer(AssessmentRun.findings))
    )
    return {run.service_id: run for run in session.scalars(query)}
