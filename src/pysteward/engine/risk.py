"""A per-project risk score from 0 (nothing found) to 100, with a letter grade, for ranking projects.

The formula is documented in docs/risk-score.md; in short:

1. Every finding weighs `SEVERITY_WEIGHTS[severity] × KIND_FACTORS[component]`.
2. Findings are grouped by what they are about (a package, a Python version, a Bandit test); inside a
   group the heaviest counts fully, the next half, the next a quarter, and so on, so one package with
   40 advisories cannot outweigh everything else (a group never exceeds twice its heaviest finding).
3. The groups' points are summed into `raw`, and `score = 100 × (1 − e^(−raw / SCALE))`: it grows
   with every finding but never passes 100. A malicious package sets the score to 100.
4. `components` shares the score out between the kinds of finding in proportion to their points.

Ignored findings do not count. The score depends only on the findings, so it is deterministic.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from pysteward.engine.assessment import ProjectAssessment
from pysteward.engine.findings import (
    Finding,
    HealthFinding,
    LicenseFinding,
    Python2Finding,
    RuntimeFinding,
    SastFinding,
    VulnerabilityFinding,
)
from pysteward.engine.model import Severity

__all__ = ["COMPONENTS", "GRADES", "KIND_FACTORS", "SCALE", "SEVERITY_WEIGHTS", "RiskScore", "risk_score"]

SEVERITY_WEIGHTS: dict[Severity, float] = {
    Severity.MALICIOUS: 100.0,
    Severity.CRITICAL: 10.0,
    Severity.HIGH: 5.0,
    Severity.MEDIUM: 2.0,
    Severity.UNKNOWN: 2.0,
    Severity.LOW: 0.5,
    Severity.INFO: 0.1,
}
"""Points of one finding of each severity; unknown counts as medium (it may be anything)."""

COMPONENTS = ("malicious", "vulnerabilities", "runtime", "licenses", "health", "sast", "hygiene")
"""The parts of the score, in the order reports show them."""

KIND_FACTORS: dict[str, float] = {
    "malicious": 1.0,
    "vulnerabilities": 1.0,
    "runtime": 1.2,
    "licenses": 0.5,
    "health": 0.5,
    "sast": 0.6,
    "hygiene": 0.5,
}
"""How much a finding of each component counts beside a vulnerability of the same severity.

An end-of-life Python (high) weighs a little more than one high advisory: every package is exposed.
License, health and hygiene findings are risks to plan for rather than holes to patch.
"""

SCALE = 25.0
"""Raw points at which the score reaches 63 (1 − 1/e); one critical advisory scores 33."""

GRADES = (("A", 5.0), ("B", 20.0), ("C", 40.0), ("D", 60.0))
"""(grade, upper bound, exclusive) in order; a score of 60 or more is an F."""

_DECAY = 0.5


@dataclass(frozen=True, slots=True)
class RiskScore:
    """A project's risk: `score` 0–100 (one decimal), `grade` A–F, and the score per component."""

    score: float
    grade: str
    components: dict[str, float]
    """Every name of `COMPONENTS`, worst-first order; the values add up to `score` (up to rounding)."""


def risk_score(project: ProjectAssessment) -> RiskScore:
    """The risk score of `project` from its findings (ignored findings excluded)."""
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for finding in project.findings:
        component = component_of(finding)
        weight = SEVERITY_WEIGHTS[finding.severity] * KIND_FACTORS[component]
        groups[(component, _subject(finding))].append(weight)
    points = dict.fromkeys(COMPONENTS, 0.0)
    for (component, _), weights in groups.items():
        points[component] += _diminished(weights)
    raw = sum(points.values())
    score = 100.0 if points["malicious"] else 100.0 * (1.0 - math.exp(-raw / SCALE))
    share = {name: score * value / raw if raw else 0.0 for name, value in points.items()}
    return RiskScore(
        score=round(score, 1),
        grade=grade(score),
        components={name: round(value, 1) for name, value in share.items()},
    )


def grade(score: float) -> str:
    """The letter for a score: A below 5, B below 20, C below 40, D below 60, else F."""
    for letter, bound in GRADES:
        if score < bound:
            return letter
    return "F"


def component_of(finding: Finding) -> str:
    """Which part of the score a finding counts towards."""
    match finding:
        case VulnerabilityFinding():
            return "malicious" if finding.severity is Severity.MALICIOUS else "vulnerabilities"
        case RuntimeFinding() | Python2Finding():
            return "runtime"
        case LicenseFinding():
            return "licenses"
        case HealthFinding():
            return "health"
        case SastFinding():
            return "sast"
    return "hygiene"


def _subject(finding: Finding) -> str:
    """What the finding is about: its group for diminishing returns."""
    match finding:
        case VulnerabilityFinding() | LicenseFinding() | HealthFinding():
            return finding.package
        case RuntimeFinding():
            return finding.python
    # A Bandit test, `steward/unpinned`, …: many hits of one rule are one habit, not many risks.
    return finding.rule


def _diminished(weights: list[float]) -> float:
    """Heaviest first, each next one counting half as much as the one before it."""
    return sum(w * _DECAY**n for n, w in enumerate(sorted(weights, reverse=True)))
