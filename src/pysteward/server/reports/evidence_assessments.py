"""The assessment evidence of a pack: runs and findings in the period (RA-5, CC7.1), vulnerabilities
open at its end and resolved between runs (RA-5, SI-2), components (CM-8) and runtimes (SA-22).

Runs are read from `AssessmentRun` directly (its `summary` and `findings` follow the contract the
assessments slice writes, docs/evidence-pack.md). A service's state at the period's end is its latest
succeeded run started before the end; a vulnerability is resolved when a succeeded run started in the
period no longer reports the key the service's previous succeeded run reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.estate.models import AssessmentRun, AssessmentStatus
from pysteward.server.reports.evidence_controls import Cell, Dataset, Scope, iso

__all__ = ["assessment_datasets", "is_vulnerability"]

Row = dict[str, Cell]
_VULNERABLE = frozenset({"vulnerability", "vulnerabilities", "malicious"})


def is_vulnerability(finding: Mapping[str, Any]) -> bool:
    """Whether a stored finding is a known vulnerability or a malicious package."""
    return str(finding.get("kind", "")).lower() in _VULNERABLE


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _count(summary: Mapping[str, Any], key: str) -> int | None:
    value = summary.get(key)
    return value if isinstance(value, int) else None


class _Runs:
    """The client's runs that matter for one period, loaded with two queries."""

    def __init__(self, session: Session, scope: Scope) -> None:
        query = (
            select(AssessmentRun.id, AssessmentRun.service_id, AssessmentRun.started_at, AssessmentRun.status)
            .where(AssessmentRun.service_id.in_(list(scope.services)), AssessmentRun.started_at < scope.until)
            .order_by(AssessmentRun.service_id, AssessmentRun.started_at, AssessmentRun.id)
        )
        heads = list(session.execute(query)) if scope.services else []
        self.in_period = [row[0] for row in heads if row[2] >= scope.period.start]
        succeeded: dict[int, list[int]] = defaultdict(list)
        started = {}
        for run_id, service_id, started_at, status in heads:
            started[run_id] = started_at
            if status is AssessmentStatus.SUCCEEDED:
                succeeded[service_id].append(run_id)
        self.latest = {service: ids[-1] for service, ids in sorted(succeeded.items())}
        """Each service's latest succeeded run before the period's end."""
        self.pairs = [
            (ids[i - 1], ids[i])
            for _service, ids in sorted(succeeded.items())
            for i in range(1, len(ids))
            if started[ids[i]] >= scope.period.start
        ]
        """(previous, next) succeeded runs of one service, the next one started in the period."""
        wanted = {*self.in_period, *self.latest.values(), *(run for pair in self.pairs for run in pair)}
        rows = session.scalars(select(AssessmentRun).where(AssessmentRun.id.in_(sorted(wanted))))
        self.rows = {row.id: row for row in rows}


RUN_COLUMNS = (
    "run_id", "service_id", "service", "repository_path", "status", "started_at", "finished_at", "risk_score",
    "risk_grade", "findings", "critical_vulnerabilities", "vulnerabilities", "license_issues", "eol_runtimes",
    "error",
)  # fmt: skip
FINDING_COLUMNS = ("run_id", "service", "key", "kind", "severity", "title", "subject", "detail", "fix")
OPEN_COLUMNS = ("service_id", "service", "run_id", "assessed_at", "key", "kind", "severity", "title",
                "subject", "fix")  # fmt: skip
RESOLVED_COLUMNS = (
    "service_id", "service", "key", "kind", "severity", "title", "subject", "fix", "last_seen_run_id",
    "last_seen_at", "resolved_run_id", "resolved_at",
)  # fmt: skip
COMPONENT_COLUMNS = (
    "service_id", "service", "run_id", "assessed_at", "project", "name", "version", "license",
)  # fmt: skip
RUNTIME_COLUMNS = (
    "service_id", "service", "run_id", "assessed_at", "version", "eol", "supported_when_assessed",
    "past_end_of_life_at_period_end",
)  # fmt: skip


def _run_row(run: AssessmentRun, scope: Scope) -> Row:
    summary = run.summary or {}
    eol = summary.get("eol_runtimes")
    return {
        "run_id": run.id,
        "service_id": run.service_id,
        "service": scope.service_name(run.service_id),
        "repository_path": run.repository_path,
        "status": run.status.value,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "risk_score": run.risk_score,
        "risk_grade": run.risk_grade,
        "findings": _count(summary, "findings"),
        "critical_vulnerabilities": _count(summary, "critical_vulnerabilities"),
        "vulnerabilities": _count(summary, "vulnerabilities"),
        "license_issues": _count(summary, "license_issues"),
        "eol_runtimes": len(eol) if isinstance(eol, list) else None,
        "error": run.error,
    }


def _finding(finding: Mapping[str, Any], *columns: str) -> Row:
    return {column: _text(finding.get(column)) for column in columns}


def _findings(run: AssessmentRun) -> list[Mapping[str, Any]]:
    return [f for f in (run.findings or []) if isinstance(f, Mapping)]


def _runs_and_findings(runs: _Runs, scope: Scope) -> list[Dataset]:
    period_runs = [runs.rows[run_id] for run_id in runs.in_period]
    period_runs.sort(key=lambda run: (run.started_at, run.id))
    findings: list[Row] = []
    for run in period_runs:
        head: Row = {"run_id": run.id, "service": scope.service_name(run.service_id)}
        findings.extend(
            head | _finding(f, "key", "kind", "severity", "title", "subject", "detail", "fix")
            for f in _findings(run)
        )
    return [
        Dataset(
            "assessment_runs",
            "Assessment runs of the client's services started in the period, with their outcome and counts.",
            RUN_COLUMNS,
            tuple(_run_row(run, scope) for run in period_runs),
        ),
        Dataset("findings", "Every finding of those runs.", FINDING_COLUMNS, tuple(findings)),
    ]


def _open(runs: _Runs, scope: Scope) -> Dataset:
    rows: list[Row] = []
    for service_id, run_id in runs.latest.items():
        run = runs.rows[run_id]
        head: Row = {"service_id": service_id, "service": scope.service_name(service_id), "run_id": run_id}
        head["assessed_at"] = iso(run.started_at)
        rows.extend(
            head | _finding(f, "key", "kind", "severity", "title", "subject", "fix")
            for f in _findings(run)
            if is_vulnerability(f)
        )
    return Dataset(
        "vulnerabilities_open",
        "Known vulnerabilities and malicious packages each service still had at the period's end (its latest"
        " succeeded assessment before then), with the fix proposed.",
        OPEN_COLUMNS,
        tuple(rows),
    )


def _resolved(runs: _Runs, scope: Scope) -> Dataset:
    rows: list[Row] = []
    for before_id, after_id in runs.pairs:
        before, after = runs.rows[before_id], runs.rows[after_id]
        remaining = {str(f.get("key")) for f in _findings(after) if is_vulnerability(f)}
        for finding in _findings(before):
            if not is_vulnerability(finding) or str(finding.get("key")) in remaining:
                continue
            row: Row = {"service_id": before.service_id, "service": scope.service_name(before.service_id)}
            row |= _finding(finding, "key", "kind", "severity", "title", "subject", "fix")
            row |= {"last_seen_run_id": before.id, "last_seen_at": iso(before.started_at)}
            rows.append(row | {"resolved_run_id": after.id, "resolved_at": iso(after.started_at)})
    return Dataset(
        "vulnerabilities_resolved",
        "Vulnerabilities a service's previous succeeded assessment reported and its next one, run in the"
        " period, no longer did: remediated between the two runs, with the fix that was proposed.",
        RESOLVED_COLUMNS,
        tuple(rows),
    )


def _entries(run: AssessmentRun, key: str) -> list[Mapping[str, Any]]:
    value = (run.summary or {}).get(key)
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _past_eol(eol: str | None, period_end: date) -> bool | None:
    try:
        return None if eol is None else date.fromisoformat(eol) < period_end
    except ValueError:
        return None


def _runtime_rows(run: AssessmentRun, head: Row, period_end: date) -> Iterable[Row]:
    listed = _entries(run, "runtimes")
    known = {str(item.get("version")) for item in listed}
    unsupported = [item for item in _entries(run, "eol_runtimes") if str(item.get("version")) not in known]
    for item, supported in [(i, i.get("supported")) for i in listed] + [(i, False) for i in unsupported]:
        eol = _text(item.get("eol"))
        yield head | {
            "version": _text(item.get("version")),
            "eol": eol,
            "supported_when_assessed": supported if isinstance(supported, bool) else None,
            "past_end_of_life_at_period_end": _past_eol(eol, period_end),
        }


def _inventory(runs: _Runs, scope: Scope) -> list[Dataset]:
    components: list[Row] = []
    runtimes: list[Row] = []
    period_end = scope.until.date()
    for service_id, run_id in runs.latest.items():
        run = runs.rows[run_id]
        head: Row = {"service_id": service_id, "service": scope.service_name(service_id), "run_id": run_id}
        head["assessed_at"] = iso(run.started_at)
        components.extend(
            head | _finding(item, "project", "name", "version", "license")
            for item in _entries(run, "components")
        )
        runtimes.extend(_runtime_rows(run, head, period_end))
    return [
        Dataset(
            "components",
            "The component inventory: each service's dependencies (project, name, version, license) from its"
            " latest succeeded assessment before the period's end.",
            COMPONENT_COLUMNS,
            tuple(components),
        ),
        Dataset(
            "runtimes",
            "The Python runtimes each service runs on, from the same assessment, with their end-of-life date"
            " and whether that date was before the period's end (unsupported components).",
            RUNTIME_COLUMNS,
            tuple(runtimes),
        ),
    ]


def assessment_datasets(session: Session, scope: Scope) -> list[Dataset]:
    """`assessment_runs`, `findings`, `vulnerabilities_open`, `vulnerabilities_resolved`, `components`
    and `runtimes` of the client's services for the period."""
    runs = _Runs(session, scope)
    return [
        *_runs_and_findings(runs, scope),
        _open(runs, scope),
        _resolved(runs, scope),
        *_inventory(runs, scope),
    ]
