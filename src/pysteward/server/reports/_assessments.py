"""The assessment part of a report: for each service, what its latest succeeded assessment said at the
period's end (open critical vulnerabilities, end-of-life runtimes, license issues), beside what the
latest one said at the previous period's end, for the trend.

"Latest at a moment" is the succeeded `AssessmentRun` started last before it. Only the run's summary is
read (its findings list can be large); a summary missing a count reads as 0, so a run written before a
count existed still reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from pysteward.server.estate.models import AssessmentRun, AssessmentStatus

__all__ = ["AssessmentFacts", "AssessmentLine", "assessment_lines"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentFacts:
    """What one assessment run found, as the report shows it."""

    run_id: int
    started_at: datetime
    grade: str | None
    critical: int
    """Open critical vulnerabilities (and malicious packages)."""
    vulnerabilities: int
    license_issues: int
    eol_runtimes: tuple[str, ...]
    """`3.8 (end of life 2024-10-07)`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentLine:
    """One service's latest assessment at the period's end, and at the previous period's end."""

    service_id: int
    label: str
    current: AssessmentFacts | None
    previous: AssessmentFacts | None

    @property
    def notable(self) -> bool:
        """Worth a row of its own: something is open, or a count changed, or no run at the period's end."""
        facts = self.current
        if facts is None:
            return True
        if facts.critical or facts.license_issues or facts.eol_runtimes:
            return True
        return any(self.delta(field) for field in ("critical", "vulnerabilities", "license_issues", "eol"))

    def delta(self, field: str) -> int | None:
        """The change of a count (`critical`, `vulnerabilities`, `license_issues`, `eol`) since the
        previous period; None without both runs."""
        if self.current is None or self.previous is None:
            return None
        return _count(self.current, field) - _count(self.previous, field)


def _count(facts: AssessmentFacts, field: str) -> int:
    return len(facts.eol_runtimes) if field == "eol" else int(getattr(facts, field))


def _number(summary: dict[str, Any], key: str) -> int:
    value = summary.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _runtimes(summary: dict[str, Any]) -> tuple[str, ...]:
    found = summary.get("eol_runtimes", [])
    if not isinstance(found, list):
        return ()
    return tuple(
        f"{item.get('version', '?')} (end of life {item.get('eol', '?')})"
        for item in found
        if isinstance(item, dict)
    )


def _facts(run_id: int, started_at: datetime, grade: str | None, summary: Any) -> AssessmentFacts:
    summary = summary if isinstance(summary, dict) else {}
    return AssessmentFacts(
        run_id=run_id,
        started_at=started_at,
        grade=grade,
        critical=_number(summary, "critical_vulnerabilities"),
        vulnerabilities=_number(summary, "vulnerabilities"),
        license_issues=_number(summary, "license_issues"),
        eol_runtimes=_runtimes(summary),
    )


def _latest(session: Session, service_ids: Sequence[int], before: datetime) -> dict[int, AssessmentFacts]:
    """Each service's succeeded run started last before `before`."""
    succeeded = and_(
        AssessmentRun.service_id.in_(service_ids),
        AssessmentRun.status == AssessmentStatus.SUCCEEDED,
        AssessmentRun.started_at < before,
    )
    latest = (
        select(AssessmentRun.service_id, func.max(AssessmentRun.started_at).label("at"))
        .where(succeeded)
        .group_by(AssessmentRun.service_id)
        .subquery()
    )
    run = AssessmentRun
    query = (
        select(run.service_id, run.id, run.started_at, run.risk_grade, run.summary)
        .join(latest, and_(run.service_id == latest.c.service_id, run.started_at == latest.c.at))
        .where(succeeded)
        .order_by(run.id)
    )
    # Two runs of a service started at the same instant: the later id wins.
    return {row[0]: _facts(*row[1:]) for row in session.execute(query)}


def assessment_lines(
    session: Session, *, services: Sequence[tuple[int, str]], end: datetime, previous_end: datetime
) -> list[AssessmentLine]:
    """One line per service (id, label) with a run before `end` or before `previous_end`, in order."""
    ids = [service_id for service_id, _ in services]
    current, previous = _latest(session, ids, end), _latest(session, ids, previous_end)
    return [
        AssessmentLine(
            service_id=service_id,
            label=label,
            current=current.get(service_id),
            previous=previous.get(service_id),
        )
        for service_id, label in services
        if service_id in current or service_id in previous
    ]
