"""HTTP schemas for assessment runs (STYLE 25): `AssessmentCreate`, `AssessmentPublic` (list),
`AssessmentDetail` (with findings), `AssessmentDiff`, and the stored summary's shape.

The summary and findings are stored as JSON (docs/server-assessments.md); these models document
them in the OpenAPI schema and check that what is served keeps that shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from pysteward.server.estate.models import AssessmentStatus
from pysteward.server.estate.schemas import StrictModel

__all__ = [
    "AssessmentCounts",
    "AssessmentCreate",
    "AssessmentDetail",
    "AssessmentDiff",
    "AssessmentPublic",
    "AssessmentSummary",
    "Component",
    "EolRuntime",
    "FindingPublic",
    "Runtime",
]

RepositoryPath = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class AssessmentCreate(StrictModel):
    """Which registered repository path to assess; absent or null means the service's first one."""

    repository_path: RepositoryPath | None = None


class EolRuntime(BaseModel):
    """A Python the run found past its end of life."""

    version: str
    eol: str | None = Field(description="End-of-life date (ISO 8601).")


class Runtime(BaseModel):
    """A Python a project targets."""

    version: str
    eol: str | None
    supported: bool = Field(description="CPython still releases fixes for it (bugfix or security phase).")


class Component(BaseModel):
    """A dependency of a project of the repository (CM-8 inventory)."""

    project: str
    name: str
    version: str | None
    license: str | None


class AssessmentCounts(BaseModel):
    """The counts of a succeeded run, as lists show them."""

    findings: int
    by_severity: dict[str, int]
    by_kind: dict[str, int]
    critical_vulnerabilities: int = Field(description="Critical vulnerabilities plus malicious packages.")
    vulnerabilities: int
    license_issues: int
    eol_runtimes: list[EolRuntime]


class AssessmentSummary(AssessmentCounts):
    """The whole stored summary of a succeeded run."""

    runtimes: list[Runtime]
    components: list[Component]
    on: str | None = Field(default=None, description="The day runtimes were judged on.")
    projects: int | None = None
    advisory_database: dict[str, Any] | None = Field(
        default=None, description="How many advisory records there were, and how fresh they were."
    )
    release_cycle_as_of: str | None = None
    not_checked: list[str] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list, description="What the run could not check, and why.")


class FindingPublic(BaseModel):
    """One finding; `key` is stable across runs, so two runs compare."""

    key: str
    kind: str
    severity: str
    title: str
    subject: str
    detail: str
    fix: str | None


def _none_if_empty(value: Any) -> Any:
    # A running or failed run stores an empty summary.
    return None if value == {} else value


class AssessmentPublic(BaseModel):
    """An assessment run as lists show it (no findings, counts only)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    service_id: int
    repository_path: str
    status: AssessmentStatus
    started_at: datetime
    finished_at: datetime | None
    requested_by: int | None
    error: str
    risk_score: float | None
    risk_grade: str | None
    summary: AssessmentCounts | None

    @field_validator("summary", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return _none_if_empty(value)


class AssessmentDetail(AssessmentPublic):
    """One run with its whole summary and its findings."""

    summary: AssessmentSummary | None
    findings: list[FindingPublic]


class AssessmentDiff(BaseModel):
    """How a run differs from the service's previous succeeded run (none: every finding is new)."""

    run_id: int
    previous_run_id: int | None
    new: list[FindingPublic]
    resolved: list[FindingPublic]
    unchanged: list[FindingPublic]
