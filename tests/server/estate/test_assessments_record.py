"""What a run stores of an engine assessment (keys, summary, risk), differences between two runs, and
the demo project: pure functions on real engine results, no database server."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from pysteward.engine.advisories import import_advisories
from pysteward.engine.assess import AssessRequest, assess
from pysteward.engine.checks import Check
from pysteward.engine.findings import (
    ExpiredIgnoreFinding,
    Finding,
    HealthFinding,
    LicenseFinding,
    Python2Finding,
    TyposquatFinding,
)
from pysteward.engine.model import Location, Severity
from pysteward.server.estate.assessment_record import RunRecord, diff_findings, record_of
from pysteward.server.estate.assessments import seed_demo_project
from tests.server.estate.assessment_files import build_database, write_project

ON = date(2026, 11, 22)
DEMO_PACKAGES = {"django", "requests", "urllib3", "pyyaml", "jinja2", "aiohttp", "langchain", "gunicorn"}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory.mktemp("advisories"))


def record(database: Path, path: Path, checks: frozenset[Check] = frozenset()) -> RunRecord:
    return record_of(assess(AssessRequest(paths=(path,), on=ON, checks=checks), database=database))


def finding(key: str, title: str = "") -> dict[str, Any]:
    return {"key": key, "kind": "vulnerabilities", "severity": "high", "title": title or key,
            "subject": "", "detail": "", "fix": None}  # fmt: skip


def test_without_a_previous_run_every_finding_is_new() -> None:
    current = [finding("a"), finding("b")]
    diff = diff_findings(None, current)
    assert (diff.new, diff.resolved, diff.unchanged) == (current, [], [])


def test_findings_compare_by_key_keeping_the_current_titles() -> None:
    previous = [finding("gone"), finding("kept", "old title"), finding("also gone")]
    current = [finding("kept", "new title"), finding("fresh")]
    diff = diff_findings(previous, current)
    assert [f["key"] for f in diff.new] == ["fresh"]
    assert [f["key"] for f in diff.resolved] == ["gone", "also gone"]
    assert [f["title"] for f in diff.unchanged] == ["new title"]


def test_an_upgrade_that_stays_vulnerable_keeps_the_key(database: Path, tmp_path: Path) -> None:
    before = record(database, write_project(tmp_path / "a", "Django==4.2.10\n", python="3.12"))
    after = record(database, write_project(tmp_path / "b", "# pinned\nDjango==4.2.11\n", python="3.12"))
    assert [f["key"] for f in before.findings] == ["vulnerabilities:.:django:PYSEC-2099-1"]
    assert [f["key"] for f in after.findings] == ["vulnerabilities:.:django:PYSEC-2099-1"]
    assert before.findings[0]["title"] != after.findings[0]["title"]


def test_a_bandit_finding_keeps_its_key_when_lines_above_it_move(database: Path, tmp_path: Path) -> None:
    code = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
    project = write_project(tmp_path / "app", "", python="3.12")
    source = project / "app.py"
    source.write_text(code, encoding="utf-8")
    first = record(database, project, frozenset({Check.SAST}))
    source.write_text('"""Runs things."""\n\n' + code, encoding="utf-8")
    second = record(database, project, frozenset({Check.SAST}))
    sast = [f["key"] for f in first.findings if f["kind"] == "sast"]
    assert len(sast) == 2
    assert all(k.startswith("sast:.:B") and ":app.py:" in k for k in sast)
    assert sast == [f["key"] for f in second.findings if f["kind"] == "sast"]
    assert first.findings[0]["subject"] == "app.py:5"
    assert second.findings[0]["subject"] == "app.py:7"
    assert "shell=True" in first.findings[0]["detail"]


def test_a_malicious_package_counts_as_critical_and_sets_risk_to_f(database: Path, tmp_path: Path) -> None:
    made = record(database, write_project(tmp_path / "app", "evil-pkg==1.0\nsix==1.16.0\n", python="3.12"))
    assert made.summary["critical_vulnerabilities"] == 1
    assert made.summary["vulnerabilities"] == 1
    assert made.summary["by_kind"]["malicious"] == 1
    assert made.summary["by_severity"]["malicious"] == 1
    assert (made.risk_score, made.risk_grade) == (100.0, "F")
    assert [(f["kind"], f["severity"]) for f in made.findings] == [
        ("malicious", "malicious"),
        ("vulnerabilities", "low"),
    ]


def test_one_package_pinned_twice_by_markers_gets_two_distinct_keys(database: Path, tmp_path: Path) -> None:
    requirements = "six==1.15.0 ; python_version < '3.12'\nsix==1.16.0 ; python_version >= '3.12'\n"
    made = record(database, write_project(tmp_path / "app", requirements, python="3.11"))
    assert [f["key"] for f in made.findings] == [
        "vulnerabilities:.:six:PYSEC-2099-4",
        "vulnerabilities:.:six:PYSEC-2099-4#2",
    ]
    assert len(made.summary["components"]) == 2


def test_every_project_of_a_monorepo_has_its_own_keys_and_the_worst_risk_stands(
    database: Path, tmp_path: Path
) -> None:
    write_project(tmp_path / "repo" / "api", "PyYAML==6.0\n", python="3.12")
    write_project(tmp_path / "repo" / "worker", "six==1.16.0\n", python="3.12")
    made = record(database, tmp_path / "repo")
    assert [f["key"] for f in made.findings] == [
        "vulnerabilities:api:pyyaml:PYSEC-2099-2",
        "vulnerabilities:worker:six:PYSEC-2099-4",
    ]
    assert made.summary["projects"] == 2
    assert [c["project"] for c in made.summary["components"]] == ["api", "worker"]
    assert (made.risk_score, made.risk_grade) == (33.0, "C")  # one critical advisory


def test_the_demo_project_has_critical_advisories_an_eol_python_and_bandit_findings(
    shared_data: Path, tmp_path: Path
) -> None:
    # The real OSV records of the demo's packages (importing all 2,661 would take seconds).
    records = tmp_path / "osv"
    records.mkdir()
    with zipfile.ZipFile(shared_data / "osv-pypi-pypa.zip") as archive:
        for name in archive.namelist():
            osv = json.loads(archive.read(name))
            if osv["affected"][0]["package"]["name"].lower() in DEMO_PACKAGES:
                (records / name).write_bytes(archive.read(name))
    database = tmp_path / "advisories.sqlite3"
    import_advisories(records, database)
    root = seed_demo_project(tmp_path / "demo")
    assert root == tmp_path / "demo" / "orders-api"
    assert seed_demo_project(tmp_path / "demo") == root  # a second seeding rewrites the same files
    made = record(database, root, frozenset(Check))
    summary = made.summary
    assert summary["critical_vulnerabilities"] >= 1
    assert summary["vulnerabilities"] >= 10
    assert summary["eol_runtimes"] == [{"version": "3.8", "eol": "2024-10-07"}]
    assert summary["by_kind"]["sast"] >= 2
    assert {c["name"] for c in summary["components"]} >= {"Django", "requests", "PyYAML", "langchain"}
    assert made.risk_grade == "F"


def test_every_kind_of_finding_gets_a_key_without_line_numbers(database: Path, tmp_path: Path) -> None:
    requirements = "requests>=2.0\nmylib @ https://files.invalid/mylib-1.0.tar.gz\n"
    project = write_project(tmp_path / "app", requirements, python="3.12")
    assessment = assess(AssessRequest(paths=(project,), on=ON), database=database)
    where = (Location(project / "requirements.txt", 1),)
    extra: tuple[Finding, ...] = (
        LicenseFinding(rule="steward/license-denied", severity=Severity.HIGH, title="GPL", locations=where,
                       package="gplpkg", version=Version("1.0"), license="GPL-3.0-only",
                       license_class="strong-copyleft", reason="denied"),
        HealthFinding(rule="steward/health-stale", severity=Severity.LOW, title="stale", locations=where,
                      package="oldpkg", version=None, check="stale", detail="no release for 4 years"),
        Python2Finding(rule="steward/python2-syntax", severity=Severity.HIGH, title="print statement",
                       locations=(Location(project / "legacy.py", 3),), evidence="print 'x'"),
        TyposquatFinding(rule="steward/typosquat", severity=Severity.HIGH, title="reqeusts", locations=where,
                         package="reqeusts", version=None, similar_to="requests", similar_downloads=10**9,
                         reason="swapped letters"),
        ExpiredIgnoreFinding(rule="steward/expired-ignore", severity=Severity.MEDIUM, title="expired",
                             locations=(), ignored_id="PYSEC-2099-1", until=date(2026, 1, 1), reason="wait"),
    )  # fmt: skip
    (only,) = assessment.projects
    made = record_of(replace(assessment, projects=(replace(only, findings=only.findings + extra),)))
    by_key = {f["key"]: f for f in made.findings}
    assert set(by_key) == {
        "hygiene:.:steward/unpinned:requests",
        "hygiene:.:steward/unresolvable:mylib",
        "licenses:.:gplpkg:steward/license-denied",
        "health:.:oldpkg:steward/health-stale",
        "runtime:.:steward/python2-syntax:legacy.py:print statement",
        "hygiene:.:steward/typosquat:reqeusts",
        "hygiene:.:steward/expired-ignore:PYSEC-2099-1",
    }
    assert made.summary["license_issues"] == 1
    license_finding = by_key["licenses:.:gplpkg:steward/license-denied"]
    assert (license_finding["subject"], license_finding["detail"]) == (
        "gplpkg 1.0",
        "GPL-3.0-only (strong-copyleft): denied",
    )
    health = by_key["health:.:oldpkg:steward/health-stale"]
    assert (health["subject"], health["detail"]) == ("oldpkg", "no release for 4 years")
    expired = by_key["hygiene:.:steward/expired-ignore:PYSEC-2099-1"]
    assert (expired["subject"], expired["detail"]) == ("steward/expired-ignore", "steward/expired-ignore")
    assert by_key["hygiene:.:steward/unpinned:requests"]["subject"] == "requirements.txt:1"
