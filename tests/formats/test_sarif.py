"""`--format sarif`: what GitHub code scanning requires of a SARIF 2.1.0 upload, and stable fingerprints.

No SARIF schema is available offline (and `jsonschema` is not a dependency), so these tests check
GitHub's documented requirements structurally instead of validating against the schema.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from pysteward.engine.assessment import Assessment, ProjectAssessment
from pysteward.engine.findings import HealthFinding, Python2Finding, SastFinding, VulnerabilityFinding
from pysteward.engine.model import Location, Severity
from pysteward.formats import SarifFormat
from pysteward.formats.sarif import SARIF_SCHEMA, level, security_severity

LEVELS = {"error", "warning", "note"}


def render(assessment: Assessment) -> dict[str, Any]:
    return json.loads(SarifFormat().render(assessment))  # type: ignore[no-any-return]


def run_of(assessment: Assessment) -> dict[str, Any]:
    (run,) = render(assessment)["runs"]
    return run  # type: ignore[no-any-return]


def rules_by_id(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}


def results_for(run: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [r for r in run["results"] if r["ruleId"] == rule_id]


def with_project(assessment: Assessment, index: int, **changes: Any) -> Assessment:
    projects = list(assessment.projects)
    projects[index] = dataclasses.replace(projects[index], **changes)
    return dataclasses.replace(assessment, projects=tuple(projects))


def test_it_writes_a_sarif_2_1_0_log_with_one_run(sample: Assessment) -> None:
    log = render(sample)
    assert log["$schema"] == SARIF_SCHEMA
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "steward"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")


def test_every_result_resolves_to_its_rule(sample: Assessment) -> None:
    run = run_of(sample)
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in LEVELS
        assert result["message"]["text"]


def test_every_rule_has_what_github_shows(sample: Assessment) -> None:
    for rule in run_of(sample)["tool"]["driver"]["rules"]:
        assert rule["name"]
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in LEVELS
        assert rule["properties"]["tags"]


def test_every_location_is_relative_to_the_source_root_with_a_positive_line(sample: Assessment) -> None:
    for result in run_of(sample)["results"]:
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith("/")
        assert "://" not in artifact["uri"]
        assert "\\" not in artifact["uri"]
        start = location["physicalLocation"]["region"]["startLine"]
        assert isinstance(start, int)
        assert start >= 1


def test_vulnerability_rules_carry_a_numeric_security_severity(sample: Assessment) -> None:
    rules = rules_by_id(run_of(sample))
    for rule_id, expected in [
        ("PYSEC-2019-217", "8.6"),
        ("GHSA-xg9f-g7g7-2323", "9.8"),
        ("GHSA-h5c8-rqwp-cp95", "5.5"),
        ("MAL-2024-1234", "10.0"),
    ]:
        properties = rules[rule_id]["properties"]
        assert properties["security-severity"] == expected
        assert 0.0 <= float(properties["security-severity"]) <= 10.0
        assert "security" in properties["tags"]
    assert "malicious" in rules["MAL-2024-1234"]["properties"]["tags"]
    assert rules["PYSEC-2019-217"]["helpUri"] == "https://osv.dev/vulnerability/PYSEC-2019-217"
    assert rules["PYSEC-2019-217"]["shortDescription"]["text"] == "Jinja2 sandbox escape via str.format_map"


def test_it_gives_no_security_severity_to_unknown_severity_or_other_findings(sample: Assessment) -> None:
    rules = rules_by_id(run_of(sample))
    assert "security-severity" not in rules["PYSEC-2023-999"]["properties"]
    assert "security-severity" not in rules["steward/runtime-eol"]["properties"]
    assert "security-severity" not in rules["steward/unpinned"]["properties"]
    assert rules["steward/runtime-eol"]["helpUri"].startswith("https://")


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.MALICIOUS, "error"),
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "warning"),
        (Severity.UNKNOWN, "warning"),
        (Severity.INFO, "note"),
    ],
)
def test_it_maps_severity_to_a_level(severity: Severity, expected: str) -> None:
    assert level(severity) == expected


def test_it_clamps_and_formats_a_cvss_score(sample: Assessment) -> None:
    finding = next(f for _, f in sample.findings() if isinstance(f, VulnerabilityFinding))
    assert security_severity(dataclasses.replace(finding, severity=Severity.HIGH, score=7.25)) == "7.2"
    assert security_severity(dataclasses.replace(finding, severity=Severity.HIGH, score=12.0)) == "10.0"
    assert security_severity(dataclasses.replace(finding, severity=Severity.LOW, score=float("nan"))) == "2.0"


def test_it_reports_the_vulnerable_version_where_it_is_pinned(sample: Assessment) -> None:
    (result,) = results_for(run_of(sample), "GHSA-xg9f-g7g7-2323")
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "services/api/uv.lock"
    assert physical["region"]["startLine"] == 40
    assert result["level"] == "error"
    assert "werkzeug 2.0.0" in result["message"]["text"]
    assert "2.2.3" in result["message"]["text"]
    assert "suppressions" not in result


def test_it_emits_one_result_per_location(sample: Assessment) -> None:
    web = sample.projects[0]
    finding = next(f for f in web.findings if f.rule == "PYSEC-2019-217")
    twice = dataclasses.replace(
        finding, locations=(*finding.locations, Location(web.path / "constraints.txt", 2))
    )
    changed = with_project(sample, 0, findings=(twice,))
    results = results_for(run_of(changed), "PYSEC-2019-217")
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["requirements.txt", "constraints.txt"]
    assert len({r["partialFingerprints"]["steward/v1"] for r in results}) == 2


def test_it_suppresses_ignored_findings_with_the_reason(sample: Assessment) -> None:
    (result,) = results_for(run_of(sample), "PYSEC-2022-42969")
    assert result["suppressions"] == [
        {"kind": "external", "justification": "not reachable: we never parse SVN"}
    ]
    suppressed = [r for r in run_of(sample)["results"] if "suppressions" in r]
    assert len(suppressed) == 1


def test_it_counts_one_result_per_finding_location(sample: Assessment) -> None:
    findings = [f for p in sample.projects for f in p.findings]
    ignored = [i.finding for p in sample.projects for i in p.ignored]
    assert len(run_of(sample)["results"]) == sum(len(f.locations) for f in findings + ignored) == 14


def test_fingerprints_survive_moved_lines_but_not_other_versions(sample: Assessment) -> None:
    web = sample.projects[0]
    finding = next(f for f in web.findings if f.rule == "PYSEC-2019-217")
    assert isinstance(finding, VulnerabilityFinding)
    moved = dataclasses.replace(finding, locations=(Location(finding.locations[0].path, 30),))
    bumped = dataclasses.replace(finding, version=type(finding.version)("2.10.0.1"))

    def fingerprint(assessment: Assessment) -> str:
        (result,) = results_for(run_of(assessment), "PYSEC-2019-217")
        return result["partialFingerprints"]["steward/v1"]  # type: ignore[no-any-return]

    original = fingerprint(sample)
    assert fingerprint(sample) == original
    assert fingerprint(with_project(sample, 0, findings=(moved,))) == original
    assert fingerprint(with_project(sample, 0, findings=(bumped,))) != original


def test_it_falls_back_to_the_first_manifest_and_line_1(sample: Assessment) -> None:
    api: ProjectAssessment = sample.projects[1]
    nowhere = Python2Finding(
        rule="steward/python2", severity=Severity.MEDIUM, title="python 2 only", locations=(), evidence="x"
    )
    run = run_of(with_project(sample, 1, findings=(nowhere,)))
    (result,) = results_for(run, "steward/python2")
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == sample.relative(sorted(m.path for m in api.manifests)[0])
    assert physical["region"]["startLine"] == 1


def test_it_percent_encodes_paths_and_uses_file_uris_outside_the_root(
    sample: Assessment, tmp_path: Path
) -> None:
    web = sample.projects[0]
    finding = next(f for f in web.findings if f.rule == "PYSEC-2019-217")
    spaced = dataclasses.replace(finding, locations=(Location(web.path / "my reqs.txt", 0),))
    outside = dataclasses.replace(
        finding, rule="PYSEC-0000-1", locations=(Location(tmp_path.parent / "elsewhere.txt", 4),)
    )
    run = run_of(with_project(sample, 0, findings=(spaced, outside)))
    (inside_result,) = results_for(run, "PYSEC-2019-217")
    artifact = inside_result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == "my%20reqs.txt"
    assert inside_result["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    (outside_result,) = results_for(run, "PYSEC-0000-1")
    artifact = outside_result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (tmp_path.parent / "elsewhere.txt").as_uri()}


def test_it_renders_a_clean_assessment(clean: Assessment) -> None:
    run = run_of(clean)
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []


def test_it_renders_the_same_text_whatever_the_input_order(sample: Assessment) -> None:
    shuffled = dataclasses.replace(
        sample,
        projects=tuple(dataclasses.replace(p, findings=p.findings[::-1]) for p in reversed(sample.projects)),
    )
    assert SarifFormat().render(shuffled) == SarifFormat().render(sample)


def sast_of(assessment: Assessment) -> SastFinding:
    return next(f for p in assessment.projects for f in p.findings if isinstance(f, SastFinding))


def test_a_bandit_issue_is_a_security_rule_with_its_documentation(sample: Assessment) -> None:
    rule = rules_by_id(run_of(sample))["B602"]
    assert rule["name"] == "SubprocessPopenWithShellEqualsTrue"
    assert rule["shortDescription"]["text"] == "subprocess call with shell=True identified, security issue."
    assert rule["fullDescription"]["text"].startswith(
        "Bandit B602 (subprocess_popen_with_shell_equals_true): "
    )
    assert rule["helpUri"] == sast_of(sample).more_info
    assert rule["help"]["text"].endswith("Details: " + sast_of(sample).more_info)
    assert rule["properties"]["tags"] == ["security", "sast", "bandit"]
    assert rule["properties"]["precision"] == "high"
    assert rule["properties"]["security-severity"] == "8.0"
    assert rule["defaultConfiguration"]["level"] == "error"


def test_a_bandit_issue_is_located_at_its_source_line(sample: Assessment) -> None:
    (result,) = results_for(run_of(sample), "B602")
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "services/api/app.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"]["startLine"] == 14
    assert result["message"]["text"] == (
        "subprocess call with shell=True identified, security issue. (Bandit B602, high confidence)"
    )
    assert result["properties"]["kind"] == "sast"


def test_a_bandit_rule_without_documentation_or_known_severity_claims_neither(sample: Assessment) -> None:
    bare = dataclasses.replace(
        sast_of(sample), severity=Severity.UNKNOWN, confidence="undefined", more_info="", test_name=""
    )
    rule = rules_by_id(run_of(with_project(sample, 1, findings=(bare,))))["B602"]
    assert rule["name"] == "B602"
    assert "helpUri" not in rule
    assert "precision" not in rule["properties"]
    assert "security-severity" not in rule["properties"]
    assert rule["help"]["text"] == rule["fullDescription"]["text"]
    not_http = dataclasses.replace(bare, more_info="file:///etc/passwd")
    assert "helpUri" not in rules_by_id(run_of(with_project(sample, 1, findings=(not_http,))))["B602"]


def test_bandit_fingerprints_follow_the_code_not_the_line(sample: Assessment) -> None:
    finding = sast_of(sample)

    def fingerprint(changed: SastFinding) -> str:
        (result,) = results_for(run_of(with_project(sample, 1, findings=(changed,))), "B602")
        return result["partialFingerprints"]["steward/v1"]  # type: ignore[no-any-return]

    original = fingerprint(finding)
    moved = dataclasses.replace(finding, locations=(Location(finding.locations[0].path, 90),))
    reindented = dataclasses.replace(finding, code="  " + finding.code.replace(" ", "  "))
    other = dataclasses.replace(finding, code="subprocess.call(cmd, shell=True)")
    assert fingerprint(moved) == fingerprint(reindented) == original
    assert fingerprint(other) != original


def test_license_and_health_findings_get_descriptive_rules(sample: Assessment) -> None:
    rules = rules_by_id(run_of(sample))
    license_rule = rules["steward/license-incompatible"]
    assert license_rule["name"] == "LicensePolicy"
    assert "license" in license_rule["fullDescription"]["text"]
    assert license_rule["properties"]["tags"] == ["license", "dependency", "license"]
    health_rule = rules["steward/health-stale"]
    assert health_rule["name"] == "MaintenanceHealth"
    assert health_rule["properties"]["tags"] == ["maintainability", "dependency", "health"]
    assert "security-severity" not in health_rule["properties"]
    (health,) = results_for(run_of(sample), "steward/health-stale")
    assert health["message"]["text"] == (
        "py has had no release for 60 months: last release 1.11.0 on 2021-11-04 (1,844 days ago)"
    )
    assert health["locations"][0]["physicalLocation"]["region"]["startLine"] == 8


def test_health_messages_without_detail_are_the_title(sample: Assessment) -> None:
    stale = next(f for f in sample.projects[0].findings if isinstance(f, HealthFinding))
    bare = dataclasses.replace(stale, detail="")
    (result,) = results_for(run_of(with_project(sample, 0, findings=(bare,))), "steward/health-stale")
    assert result["message"]["text"] == "py has had no release for 60 months"


def test_license_and_health_fingerprints_name_the_package_and_what_is_wrong(sample: Assessment) -> None:
    web = sample.projects[0]
    stale = next(f for f in web.findings if isinstance(f, HealthFinding))
    yanked = dataclasses.replace(stale, check="yanked")

    def prints(*findings: object) -> list[str]:
        run = run_of(with_project(sample, 0, findings=findings))
        return [r["partialFingerprints"]["steward/v1"] for r in results_for(run, "steward/health-stale")]

    assert prints(stale) != prints(yanked)
    assert len(set(prints(stale, yanked))) == 2
