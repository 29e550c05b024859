"""The per-project risk score: bounded, monotonic, malicious dominates, diminishing per package."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from pysteward.engine.assessment import IgnoredFinding, ProjectAssessment
from pysteward.engine.findings import (
    Finding,
    HealthFinding,
    LicenseFinding,
    Python2Finding,
    RuntimeFinding,
    SastFinding,
    UnpinnedFinding,
)
from pysteward.engine.model import Location, Severity
from pysteward.engine.risk import COMPONENTS, SCALE, grade, risk_score
from tests.formats.conftest import pinned, sample_assessment, vuln

ROOT = Path("/srv/app")


def project(*findings: Finding, ignored: tuple[IgnoredFinding, ...] = ()) -> ProjectAssessment:
    return ProjectAssessment(
        path=ROOT,
        manifests=(),
        dependencies=(),
        runtimes=(),
        targets=(),
        findings=findings,
        ignored=ignored,
    )


def cve(package: str, n: int, severity: Severity) -> Finding:
    return vuln(pinned(ROOT, package, "1.0", "requirements.txt", 1), f"PYSEC-2026-{n}", severity)


def sast(rule: str, line: int, severity: Severity = Severity.HIGH) -> SastFinding:
    return SastFinding(
        rule=rule,
        severity=severity,
        title="issue",
        locations=(Location(ROOT / "app.py", line),),
        test_name="test",
        confidence="high",
    )


def pool() -> list[Finding]:
    """One finding of every component and several severities."""
    eol = RuntimeFinding(
        rule="steward/runtime-eol",
        severity=Severity.HIGH,
        title="3.8 is end-of-life",
        locations=(),
        python="3.8",
        status="end-of-life",
        end_of_life=None,
        days_left=None,
    )
    (web, api) = sample_assessment(ROOT).projects
    unpinned = next(f for f in web.findings if isinstance(f, UnpinnedFinding))
    health = next(f for f in web.findings if isinstance(f, HealthFinding))
    license_ = next(f for f in web.findings if isinstance(f, LicenseFinding))
    python2 = next(f for f in api.findings if isinstance(f, Python2Finding))
    return [
        cve("a", 1, Severity.CRITICAL),
        cve("a", 2, Severity.HIGH),
        cve("a", 3, Severity.LOW),
        cve("b", 4, Severity.MEDIUM),
        cve("c", 5, Severity.UNKNOWN),
        eol,
        python2,
        unpinned,
        health,
        license_,
        sast("B602", 3),
        sast("B602", 9, Severity.LOW),
    ]


def test_a_clean_project_scores_zero_and_gets_an_a() -> None:
    risk = risk_score(project())
    assert risk.score == 0.0
    assert risk.grade == "A"
    assert list(risk.components) == list(COMPONENTS)
    assert set(risk.components.values()) == {0.0}


def test_a_malicious_package_scores_100_and_gets_an_f() -> None:
    risk = risk_score(project(cve("reqeusts", 1, Severity.MALICIOUS)))
    assert (risk.score, risk.grade) == (100.0, "F")
    assert risk.components["malicious"] == 100.0


def test_malicious_dominates_whatever_else_is_found() -> None:
    risk = risk_score(project(*pool(), cve("evil", 9, Severity.MALICIOUS)))
    assert (risk.score, risk.grade) == (100.0, "F")
    assert risk.components["malicious"] > sum(v for k, v in risk.components.items() if k != "malicious")


def test_one_critical_advisory_scores_a_c() -> None:
    risk = risk_score(project(cve("werkzeug", 1, Severity.CRITICAL)))
    assert risk.score == round(100 * (1 - math.exp(-10 / SCALE)), 1) == 33.0
    assert risk.grade == "C"
    assert risk.components["vulnerabilities"] == 33.0


@pytest.mark.parametrize("size", range(1, 6))
def test_adding_a_finding_never_lowers_the_score(size: int) -> None:
    findings = pool()
    for subset in itertools.combinations(findings, size):
        base = risk_score(project(*subset)).score
        for extra in findings:
            if extra not in subset:
                assert risk_score(project(*subset, extra)).score >= base


def test_one_package_with_40_advisories_cannot_swamp_the_rest() -> None:
    single = risk_score(project(cve("pkg", 0, Severity.CRITICAL))).score
    many = risk_score(project(*(cve("pkg", n, Severity.CRITICAL) for n in range(40)))).score
    spread = risk_score(project(*(cve(f"pkg{n}", n, Severity.CRITICAL) for n in range(40)))).score
    assert (
        single
        < many
        <= risk_score(project(cve("a", 0, Severity.CRITICAL), cve("b", 1, Severity.CRITICAL))).score
    )
    assert spread > 99.0 > many


def test_many_hits_of_one_bandit_test_count_as_one_habit() -> None:
    same = risk_score(project(*(sast("B101", line) for line in range(50)))).score
    different = risk_score(project(*(sast(f"B{n}", 1) for n in range(50)))).score
    assert same < 30.0 < different


def test_ignored_findings_do_not_count() -> None:
    hidden = IgnoredFinding(
        finding=cve("a", 1, Severity.CRITICAL), rule_id="PYSEC-2026-1", reason="x", until=None
    )
    assert risk_score(project(ignored=(hidden,))).score == 0.0


def test_components_share_out_the_score_by_kind() -> None:
    risk = risk_score(project(*pool()))
    assert math.isclose(sum(risk.components.values()), risk.score, abs_tol=0.5)
    assert all(risk.components[name] > 0 for name in COMPONENTS if name != "malicious")
    assert risk.components["malicious"] == 0.0
    # Python 2 use counts as a runtime risk, unpinned requirements as hygiene.
    only_py2 = risk_score(project(pool()[6]))
    assert only_py2.components["runtime"] == only_py2.score > 0


def test_the_score_does_not_depend_on_the_order_of_findings() -> None:
    findings = pool()
    assert risk_score(project(*findings)) == risk_score(project(*reversed(findings)))


def test_an_end_of_life_python_weighs_more_than_one_high_advisory() -> None:
    eol = pool()[5]
    assert risk_score(project(eol)).score > risk_score(project(cve("a", 1, Severity.HIGH))).score


@pytest.mark.parametrize(
    ("score", "letter"),
    [(0.0, "A"), (4.9, "A"), (5.0, "B"), (19.9, "B"), (20.0, "C"), (39.9, "C"), (40.0, "D"), (60.0, "F")],
)
def test_grades_follow_the_documented_bounds(score: float, letter: str) -> None:
    assert grade(score) == letter


def test_the_score_never_passes_100() -> None:
    heavy = [cve(f"p{n}", n, Severity.CRITICAL) for n in range(500)]
    risk = risk_score(project(*heavy))
    assert 99.9 <= risk.score <= 100.0
    assert risk.grade == "F"
