"""Typosquats through `assess`: judged against the popular-names list in the data directory."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from pysteward.engine.assess import AssessRequest, assess
from pysteward.engine.checks import Check
from pysteward.engine.findings import TyposquatFinding
from pysteward.engine.typosquat import PopularNames, save_popular_names
from pysteward.engine.vulnerabilities import StaticVulnerabilities

ON = date(2026, 11, 22)
NO_VULNERABILITIES = StaticVulnerabilities({})


def run(
    root: Path, checks: frozenset[Check]
) -> tuple[list[TyposquatFinding], tuple[str, ...], tuple[str, ...]]:
    request = AssessRequest(paths=(root,), on=ON, checks=checks)
    assessment = assess(request, database=NO_VULNERABILITIES)
    found = [f for _, f in assessment.findings() if isinstance(f, TyposquatFinding)]
    return found, assessment.warnings, assessment.not_checked


def project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("reqeusts==1.0\nrequests==2.32.3\n", encoding="utf-8")
    return tmp_path


def test_a_look_alike_of_a_popular_package_is_reported(tmp_path: Path) -> None:
    counts = [("requests", 900_000_000), *((f"filler-{n}", 1_000_000 - n) for n in range(1200))]
    popular = PopularNames.from_counts(counts, as_of=ON, source="test")
    save_popular_names(popular, Path(os.environ["STEWARD_DATA_DIR"]))
    found, warnings, not_checked = run(project(tmp_path), frozenset({Check.TYPOSQUATS}))
    assert [(f.package, f.similar_to) for f in found] == [("reqeusts", "requests")]
    assert not any("typosquats not checked" in w for w in warnings)
    assert "typosquat" not in not_checked
    assert {"license", "health", "sast"} <= set(not_checked)


def test_without_a_list_the_check_says_it_did_not_run(tmp_path: Path) -> None:
    found, warnings, not_checked = run(project(tmp_path), frozenset({Check.TYPOSQUATS}))
    assert found == []
    assert (
        "typosquats not checked: no list of popular package names yet; `steward db update` downloads one"
        in warnings
    )
    assert "typosquat" in not_checked


def test_the_check_off_reads_no_list_and_says_so(tmp_path: Path) -> None:
    found, warnings, not_checked = run(project(tmp_path), frozenset())
    assert found == [] and warnings == ()
    assert set(not_checked) == {"license", "health", "sast", "typosquat"}
