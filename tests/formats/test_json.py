"""`--format json`: pip-audit compatibility, completeness, Steward's extra keys, determinism."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from pysteward.engine.assessment import SCHEMA_VERSION, Assessment, FailOn
from pysteward.engine.findings import HealthFinding, LicenseFinding
from pysteward.formats import JsonFormat
from tests.formats.conftest import sample_assessment

DOCS = Path(__file__).resolve().parents[2] / "docs" / "json-schema.md"


def render(assessment: Assessment) -> dict[str, Any]:
    text = JsonFormat().render(assessment)
    assert text.endswith("\n")
    return json.loads(text)  # type: ignore[no-any-return]


def deps_by(doc: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [d for d in doc["dependencies"] if d["name"] == name]


def test_it_keeps_pip_audit_keys_and_types(sample: Assessment) -> None:
    doc = render(sample)
    assert doc["fixes"] == []
    for dep in doc["dependencies"]:
        assert isinstance(dep["name"], str)
        if "skip_reason" in dep:
            assert isinstance(dep["skip_reason"], str)
            assert dep["skip_reason"]
            continue
        assert isinstance(dep["version"], str)
        for vuln in dep["vulns"]:
            assert isinstance(vuln["id"], str)
            assert all(isinstance(v, str) for v in vuln["fix_versions"])
            assert all(isinstance(a, str) for a in vuln["aliases"])
            assert isinstance(vuln["description"], str)


def test_it_lists_every_dependency_of_every_project(sample: Assessment) -> None:
    doc = render(sample)
    expected = sorted(
        (d.dependency.name, sample.relative(d.dependency.location.path), d.dependency.location.line)
        for p in sample.projects
        for d in p.dependencies
    )
    listed = sorted((d["name"], d["file"], d["line"]) for d in doc["dependencies"])
    assert listed == expected
    assert doc["summary"]["dependencies"] == len(expected) == 10


def test_it_uses_the_normalized_name_and_keeps_the_display_name(sample: Assessment) -> None:
    (jinja,) = deps_by(render(sample), "jinja2")
    assert jinja["display_name"] == "Jinja2"
    assert jinja["version"] == "2.10"
    assert jinja["file"] == "requirements.txt"
    assert jinja["line"] == 3
    assert jinja["project"] == "."
    assert [v["id"] for v in jinja["vulns"]] == ["GHSA-h5c8-rqwp-cp95", "PYSEC-2019-217"]
    high = jinja["vulns"][1]
    assert high["fix_versions"] == ["2.10.1"]
    assert high["aliases"] == ["CVE-2019-10906", "GHSA-462w-v97r-4m45"]
    assert high["severity"] == "high"
    assert high["score"] == 8.6
    assert high["vector"].startswith("CVSS:3.1/")
    assert high["description"].startswith("In Pallets Jinja before 2.10.1")
    assert high["malicious"] is False


def test_it_falls_back_to_the_summary_when_a_record_has_no_details(sample: Assessment) -> None:
    (jinja,) = deps_by(render(sample), "jinja2")
    medium = jinja["vulns"][0]
    assert (
        medium["description"] == medium["summary"] == "Jinja vulnerable to HTML attribute injection | xmlattr"
    )
    assert medium["score"] is None


def test_it_marks_malicious_packages(sample: Assessment) -> None:
    (typo,) = deps_by(render(sample), "reqeusts")
    assert typo["vulns"][0]["id"] == "MAL-2024-1234"
    assert typo["vulns"][0]["malicious"] is True
    assert typo["vulns"][0]["severity"] == "malicious"


def test_it_gives_unpinned_dependencies_the_skipped_form(sample: Assessment) -> None:
    doc = render(sample)
    (requests,) = deps_by(doc, "requests")
    assert requests["version"] is None
    assert requests["vulns"] == []
    assert ">=2" in requests["skip_reason"]
    assert requests["specifier"] == ">=2"
    assert requests["locked"] is False
    assert requests["requirement"] == "requests>=2"
    flask_unpinned = next(d for d in deps_by(doc, "flask") if d["version"] is None)
    assert flask_unpinned["locked"] is True
    assert flask_unpinned["file"] == "services/api/pyproject.toml"


def test_it_gives_direct_references_the_skipped_form_with_their_url(sample: Assessment) -> None:
    (shared,) = deps_by(render(sample), "shared")
    assert shared["version"] is None
    assert "editable" in shared["skip_reason"]
    assert shared["source"] == "editable"
    assert shared["url"] == "./libs/shared"
    assert shared["line"] == 10


def test_it_reports_targets_markers_hashes_and_scopes(sample: Assessment) -> None:
    doc = render(sample)
    (django,) = deps_by(doc, "django")
    assert django["markers"] == 'python_version < "3.12"'
    assert django["applies_to"] == ["3.8/linux"]
    assert django["all_targets"] is False
    (werkzeug,) = deps_by(doc, "werkzeug")
    assert werkzeug["hashes"] is True
    assert werkzeug["direct"] is False
    assert werkzeug["applies_to"] == ["3.12/linux", "3.12/windows"]
    assert werkzeug["scopes"] == ["main"]
    assert deps_by(doc, "jinja2")[0]["hashes"] is False


def test_it_writes_the_header_with_iso_dates(sample: Assessment) -> None:
    doc = render(sample)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["tool"] == {"name": "steward", "version": "0.1.0"}
    assert doc["generated_at"] == "2026-11-22T09:30:00Z"
    assert doc["on"] == "2026-11-22"
    assert doc["release_cycle_as_of"] == "2026-11-01"
    assert doc["fail_on"] == "vulnerability"
    assert doc["database"] == {
        "source": "osv:PyPI all.zip",
        "records": 17423,
        "newest_modified": "2026-11-20T18:04:05Z",
        "imported_at": "2026-11-21T07:00:00Z",
    }
    assert doc["warnings"] == ["advisory database is 2 days old"]


def test_it_describes_each_project(sample: Assessment) -> None:
    web, api = render(sample)["projects"]
    assert web["path"] == "."
    assert api["path"] == "services/api"
    assert [(m["path"], m["kind"], m["is_lock"], m["dependency_count"]) for m in api["manifests"]] == [
        ("services/api/pyproject.toml", "pyproject", False, 1),
        ("services/api/uv.lock", "uv.lock", True, 2),
    ]
    assert web["targets"] == ["3.8/linux", "3.12/linux"]
    assert [r["python"] for r in web["runtimes"]] == ["3.8", "3.12"]
    eol = web["runtimes"][0]
    assert eol["status"] == "end-of-life"
    assert eol["end_of_life"] == "2024-10-07"
    assert eol["days_left"] == -776
    assert eol["declared_by"] == [{"path": "pyproject.toml", "line": 6}]
    assert web["warnings"] == ["requirements.txt:11: unknown option --trusted-host ignored"]


def test_it_lists_findings_worst_first_with_kind_specific_fields(sample: Assessment) -> None:
    web, api = render(sample)["projects"]
    assert [f["kind"] for f in web["findings"]] == [
        "malicious",
        "vulnerability",
        "runtime",
        "vulnerability",
        "license",
        "health",
        "expired-ignore",
        "vulnerability",
        "unpinned",
        "unresolvable",
    ]
    by_kind = {f["kind"]: f for f in web["findings"]}
    assert by_kind["runtime"]["python"] == "3.8"
    assert by_kind["runtime"]["locations"] == [{"path": "pyproject.toml", "line": 6}]
    assert by_kind["expired-ignore"]["ignored_id"] == "GHSA-h5c8-rqwp-cp95"
    assert by_kind["expired-ignore"]["until"] == "2026-10-01"
    assert by_kind["unpinned"]["specifier"] == ">=2"
    assert by_kind["unresolvable"]["url"] == "./libs/shared"
    assert by_kind["malicious"]["package"] == "reqeusts"
    assert by_kind["malicious"]["failing"] is True
    assert by_kind["runtime"]["failing"] is False
    assert [f["kind"] for f in api["findings"]] == ["vulnerability", "sast", "python2"]
    assert api["findings"][0]["fix_versions"] == ["2.2.3", "3.0.1"]
    assert api["findings"][2]["evidence"] == "print statement"


def test_it_lists_ignored_findings_with_their_reason(sample: Assessment) -> None:
    (ignored,) = render(sample)["projects"][0]["ignored"]
    assert ignored["rule_id"] == "PYSEC-2022-42969"
    assert ignored["until"] == "2027-01-01"
    assert ignored["reason"].startswith("not reachable")
    assert ignored["finding"]["id"] == "PYSEC-2022-42969"
    assert "failing" not in ignored["finding"]
    (py,) = deps_by(render(sample), "py")
    assert py["vulns"] == []


def test_it_summarises_by_severity_and_kind(sample: Assessment) -> None:
    summary = render(sample)["summary"]
    assert summary["findings"] == 13
    assert summary["failing"] == 5
    assert summary["ignored"] == 1
    assert summary["vulnerable_dependencies"] == 4
    assert summary["by_severity"] == {
        "malicious": 1,
        "critical": 1,
        "high": 3,
        "medium": 3,
        "low": 2,
        "unknown": 1,
        "info": 2,
    }
    assert summary["by_kind"]["vulnerability"] == 4
    assert (summary["by_kind"]["license"], summary["by_kind"]["health"], summary["by_kind"]["sast"]) == (
        1,
        1,
        1,
    )
    assert summary["by_kind"]["malicious"] == 1
    assert summary["by_kind"]["python2"] == 1


def test_it_counts_failing_findings_at_the_threshold(tmp_path: Path) -> None:
    doc = render(sample_assessment(tmp_path, fail_on=FailOn.HIGH))
    assert doc["fail_on"] == "high"
    # malicious, critical, the high advisory, the end-of-life Python and Bandit's high issue
    assert doc["summary"]["failing"] == 5


def test_it_renders_the_same_text_whatever_the_input_order(sample: Assessment) -> None:
    shuffled = dataclasses.replace(
        sample,
        projects=tuple(
            dataclasses.replace(p, findings=p.findings[::-1], dependencies=p.dependencies[::-1])
            for p in reversed(sample.projects)
        ),
    )
    assert JsonFormat().render(shuffled) == JsonFormat().render(sample)


def test_it_renders_a_clean_assessment(clean: Assessment) -> None:
    doc = render(clean)
    assert doc["database"] is None
    assert doc["generated_at"] == "2026-11-22T09:30:00Z"
    assert [(d["name"], d["version"], d["vulns"]) for d in doc["dependencies"]] == [("attrs", "24.2.0", [])]
    assert doc["projects"][0]["findings"] == []
    assert doc["summary"]["findings"] == doc["summary"]["failing"] == 0
    assert set(doc["summary"]["by_severity"].values()) == {0}


def keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def test_the_schema_document_names_every_key_the_format_writes(sample: Assessment) -> None:
    documented = set(re.findall(r"`([a-z0-9_-]+)`", DOCS.read_text(encoding="utf-8")))
    assert keys(render(sample)) - documented == set()
    assert f"`{SCHEMA_VERSION}`" in DOCS.read_text(encoding="utf-8")


def findings_of(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for p in doc["projects"] for f in p["findings"] if f["kind"] == kind]


def test_it_writes_license_health_and_sast_fields(sample: Assessment) -> None:
    doc = render(sample)
    (license_,) = findings_of(doc, "license")
    assert {k: license_[k] for k in ("package", "version", "license", "license_class", "reason")} == {
        "package": "reqeusts",
        "version": "1.0",
        "license": "GPL-3.0-only",
        "license_class": "strong-copyleft",
        "reason": "incompatible",
    }
    (health,) = findings_of(doc, "health")
    assert (health["package"], health["version"], health["check"]) == ("py", "1.11.0", "stale")
    assert health["detail"].startswith("last release 1.11.0")
    (sast,) = findings_of(doc, "sast")
    assert sast["rule"] == sast["test_id"] == "B602"
    assert sast["test_name"] == "subprocess_popen_with_shell_equals_true"
    assert sast["confidence"] == "high"
    assert "shell=True" in sast["code"]
    assert sast["more_info"].startswith("https://")
    assert sast["locations"] == [{"path": "services/api/app.py", "line": 14}]
    assert sast["failing"] is False


def test_a_license_or_health_finding_may_have_no_version(sample: Assessment) -> None:
    web = sample.projects[0]
    unversioned = tuple(
        dataclasses.replace(f, version=None)
        for f in web.findings
        if isinstance(f, LicenseFinding | HealthFinding)
    )
    changed = dataclasses.replace(sample, projects=(dataclasses.replace(web, findings=unversioned),))
    doc = render(changed)
    assert [f["version"] for f in doc["projects"][0]["findings"]] == [None, None]


def test_each_project_carries_its_risk_score(sample: Assessment) -> None:
    web, api = render(sample)["projects"]
    assert web["risk"]["score"] == 100.0
    assert web["risk"]["grade"] == "F"
    assert api["risk"] == {
        "score": 46.0,
        "grade": "D",
        "components": {
            "malicious": 0.0,
            "vulnerabilities": 29.9,
            "runtime": 7.2,
            "licenses": 0.0,
            "health": 0.0,
            "sast": 9.0,
            "hygiene": 0.0,
        },
    }


def test_it_gives_each_dependency_its_license_verdict_and_health_facts(sample: Assessment) -> None:
    from datetime import date

    from packaging.version import Version

    from pysteward.engine.health import HealthFacts
    from pysteward.engine.index import ProjectState
    from pysteward.engine.licenses import LicenseEvidence, judge_license

    project = sample.projects[0]
    first = project.dependencies[0]
    verdict = judge_license(LicenseEvidence(expression="MIT OR GPL-3.0-only", source="metadata"))
    facts = HealthFacts(
        name=first.dependency.name,
        version=first.version,
        latest_version=Version("9.0"),
        last_release=date(2026, 1, 2),
        cadence_days=30.5,
        yanked=False,
        yanked_reason=None,
        owners=("alice",),
        maintainers=("alice", "bob"),
        organization="acme",
        ownership_known=True,
        status=ProjectState.ACTIVE,
        status_reason=None,
        inactive=False,
    )
    checked = dataclasses.replace(first, license=verdict, health=facts)
    changed = dataclasses.replace(
        sample,
        projects=(
            dataclasses.replace(project, dependencies=(checked, *project.dependencies[1:])),
            *sample.projects[1:],
        ),
    )
    (row,) = [
        d
        for d in render(changed)["dependencies"]
        if d["name"] == first.dependency.name
        and d["file"].endswith(first.dependency.location.path.name)
        and d["line"] == first.dependency.location.line
    ]
    assert row["license"] == {
        "expression": "MIT OR GPL-3.0-only",
        "spdx": True,
        "class": "permissive",
        "osi_approved": True,
        "deprecated": False,
        "chosen": "MIT",
        "source": "metadata",
        "approximate": False,
    }
    assert row["health"] == {
        "latest_version": "9.0",
        "last_release": "2026-01-02",
        "cadence_days": 30.5,
        "yanked": False,
        "owners": ["alice"],
        "maintainers": ["alice", "bob"],
        "organization": "acme",
        "status": "active",
        "inactive": False,
    }
    assert all(d["license"] is None and d["health"] is None for d in render(sample)["dependencies"])
