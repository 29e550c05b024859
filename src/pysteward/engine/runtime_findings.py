"""Judging a project's Python runtimes: which versions it targets and which are (nearly) end-of-life.

Sources fall in two classes. *Runtime* sources say where the code runs (Dockerfile, .python-version,
runtime.txt, conda pins, an installed environment): an end-of-life version there is a HIGH finding.
*Support* sources say what it claims to support or tests on (requires-python, classifiers, tox, CI
matrices): an end-of-life version there is LOW, and a range that admits only end-of-life versions is
HIGH, since the code can then only run on one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from pysteward.engine.assessment import RuntimeVersion
from pysteward.engine.config import Config
from pysteward.engine.findings import Finding, Python2Finding, RuntimeFinding
from pysteward.engine.model import Location, Severity
from pysteward.engine.runtime import (
    DeclarationKind,
    RangeDeclaration,
    ReleaseCycle,
    RuntimeDeclaration,
    RuntimeStatus,
    VersionDeclaration,
    admits_minor,
    detect_runtimes,
    find_python2_code,
    pins_python2,
    target_versions,
)

if TYPE_CHECKING:
    from pysteward.engine.project import ProjectInput

__all__ = ["RuntimeJudgement", "judge_runtimes"]

RUNTIME_KINDS = frozenset(
    {
        DeclarationKind.PYTHON_VERSION_FILE,
        DeclarationKind.RUNTIME_TXT,
        DeclarationKind.DOCKERFILE,
        DeclarationKind.CONDA,
        DeclarationKind.INSTALLED,
    }
)
MAX_PYTHON2_LOCATIONS = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeJudgement:
    """The targets to evaluate markers for, their status, and the runtime findings."""

    pythons: tuple[str, ...]
    versions: tuple[RuntimeVersion, ...]
    findings: tuple[Finding, ...]
    warnings: tuple[str, ...]


def judge_runtimes(item: ProjectInput, *, config: Config, cycle: ReleaseCycle, on: date) -> RuntimeJudgement:
    """Detect the project's declared Pythons and judge each against the release cycle on `on`."""
    declarations, warnings = _declarations(item)
    pythons = config.python_versions or target_versions(declarations, cycle, on)
    findings: list[Finding] = [*_exact_findings(declarations, cycle, on, config.eol_warning_days)]
    findings += _range_findings(declarations, cycle, on)
    findings += _python2_findings(item, declarations)
    versions = tuple(_runtime_version(p, declarations, cycle, on) for p in pythons)
    return RuntimeJudgement(
        pythons=tuple(pythons), versions=versions, findings=tuple(findings), warnings=warnings
    )


def _declarations(item: ProjectInput) -> tuple[list[RuntimeDeclaration], tuple[str, ...]]:
    declarations: list[RuntimeDeclaration] = []
    warnings: tuple[str, ...] = ()
    if item.detect:
        detected = detect_runtimes(item.directory)
        declarations.extend(detected.declarations)
        warnings = tuple(detected.warnings)
    seen = {(d.kind, d.location.path) for d in declarations}
    for manifest in item.manifests:
        spec = manifest.python_requires
        if spec is None:
            continue
        kind = DeclarationKind.INSTALLED if manifest.kind == "installed" else DeclarationKind.REQUIRES_PYTHON
        if (kind, manifest.path) in seen or (DeclarationKind.REQUIRES_PYTHON, manifest.path) in seen:
            continue
        location = Location(manifest.path)
        exact = _exact_version(str(spec))
        if exact is not None:
            declarations.append(
                VersionDeclaration(kind=kind, text=str(spec), location=location, version=exact)
            )
        else:
            declarations.append(
                RangeDeclaration(kind=kind, text=str(spec), location=location, specifier=spec)
            )
    return declarations, warnings


def _exact_version(spec: str) -> Version | None:
    if spec.startswith("==") and "," not in spec and "*" not in spec:
        try:
            return Version(spec[2:])
        except InvalidVersion:
            return None
    return None


def _exact_findings(
    declarations: Sequence[RuntimeDeclaration], cycle: ReleaseCycle, on: date, window: int
) -> list[Finding]:
    """One finding per (minor version, class of source) that is end-of-life or close to it."""
    grouped: dict[tuple[str, bool], list[VersionDeclaration]] = {}
    for declaration in declarations:
        if isinstance(declaration, VersionDeclaration) and declaration.implementation == "cpython":
            runtime = declaration.kind in RUNTIME_KINDS
            grouped.setdefault((declaration.minor, runtime), []).append(declaration)
    findings: list[Finding] = []
    for (minor, runtime), group in sorted(grouped.items()):
        status = cycle.status(minor, on)
        if status.unknown or status.days_left is None or minor.startswith("2."):
            continue
        if status.end_of_life_reached:
            severity = Severity.HIGH if runtime else Severity.LOW
            what = f"Python {minor} reached end of life on {_eol(status)}"
        elif status.days_left <= window:
            severity = Severity.MEDIUM if runtime else Severity.INFO
            what = f"Python {minor} reaches end of life on {_eol(status)} ({status.days_left} days)"
        else:
            continue
        sources = ", ".join(sorted({d.kind.value for d in group}))
        findings.append(_runtime_finding(minor, status, severity, f"{what}; declared by {sources}", group))
    return findings


def _eol(status: RuntimeStatus) -> str:
    assert status.end_of_life is not None
    text = status.end_of_life.isoformat()
    return f"{text[:7]} (month only)" if status.approximate else text


def _runtime_finding(
    minor: str,
    status: RuntimeStatus,
    severity: Severity,
    title: str,
    group: Sequence[RuntimeDeclaration],
) -> RuntimeFinding:
    return RuntimeFinding(
        rule="steward/runtime-eol" if status.end_of_life_reached else "steward/runtime-eol-soon",
        severity=severity,
        title=title,
        locations=tuple(dict.fromkeys(d.location for d in group)),
        python=minor,
        status=status.status.value,
        end_of_life=status.end_of_life,
        days_left=status.days_left,
        approximate=status.approximate,
    )


def _range_findings(
    declarations: Sequence[RuntimeDeclaration], cycle: ReleaseCycle, on: date
) -> list[Finding]:
    """A range (requires-python) that admits only end-of-life Pythons."""
    findings: list[Finding] = []
    for declaration in declarations:
        if not isinstance(declaration, RangeDeclaration):
            continue
        admitted = [
            s
            for v in cycle.versions
            if v.startswith("3.")
            and admits_minor(declaration.specifier, v)
            and not (s := cycle.status(v, on)).unknown
            and s.first_release is not None
            and s.first_release <= on
        ]
        if admitted and all(s.end_of_life_reached for s in admitted):
            newest = admitted[-1]
            findings.append(
                _runtime_finding(
                    newest.version,
                    newest,
                    Severity.HIGH,
                    f"{declaration.kind.value} {declaration.text} admits only end-of-life Pythons "
                    f"(newest: {newest.version}, end of life {_eol(newest)})",
                    [declaration],
                )
            )
    return findings


def _python2_findings(item: ProjectInput, declarations: Sequence[RuntimeDeclaration]) -> list[Finding]:
    findings: list[Finding] = []
    if pins_python2(declarations):
        pinned = [d for d in declarations if d.text.lstrip("=<>~^ py").startswith("2")]
        findings.append(
            Python2Finding(
                rule="steward/python2",
                severity=Severity.HIGH,
                title="the project is pinned to Python 2, end of life since 2020-01-01",
                locations=tuple(d.location for d in pinned) or tuple(d.location for d in declarations[:1]),
                evidence="declaration",
            )
        )
    evidence = find_python2_code(item.directory, item.sources)
    if evidence:
        constructs = sorted({e.construct for e in evidence})
        findings.append(
            Python2Finding(
                rule="steward/python2-syntax",
                severity=Severity.HIGH,
                title=f"{len(evidence)} source files use Python-2-only syntax ({', '.join(constructs)})",
                locations=tuple(e.location for e in evidence[:MAX_PYTHON2_LOCATIONS]),
                evidence="source",
            )
        )
    return findings


def _runtime_version(
    python: str, declarations: Sequence[RuntimeDeclaration], cycle: ReleaseCycle, on: date
) -> RuntimeVersion:
    status = cycle.status(python, on)
    declaring = [d for d in declarations if _declares(d, python)]
    return RuntimeVersion(
        python=python,
        status=status.status.value,
        first_release=status.first_release,
        end_of_life=status.end_of_life,
        days_left=status.days_left,
        approximate=status.approximate,
        declared_by=tuple(dict.fromkeys(d.location for d in declaring)),
        sources=tuple(sorted({d.kind.value for d in declaring})),
    )


def _declares(declaration: RuntimeDeclaration, python: str) -> bool:
    if isinstance(declaration, VersionDeclaration):
        return declaration.minor == python
    if isinstance(declaration, RangeDeclaration):
        return admits_minor(declaration.specifier, python)
    return False
