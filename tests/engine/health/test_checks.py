from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.findings import HealthFinding
from pysteward.engine.health import HealthPolicy, health_facts, health_findings, months_before
from pysteward.engine.index import ProjectInfo, ProjectState, ProjectStatus, Release
from pysteward.engine.index._parse import project_info
from pysteward.engine.model import Location, Severity

ASSETS = Path(__file__).parent.parent / "index" / "assets"
ON = date(2026, 11, 22)
WHERE = Location(Path("uv.lock"), 12)
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def recorded(name: str) -> ProjectInfo:
    simple = json.loads((ASSETS / f"simple-{name}.json").read_text())
    api = json.loads((ASSETS / f"api-{name}.json").read_text())
    return project_info(name, simple, api, {}, NOW)


def checks(findings: list[HealthFinding]) -> dict[str, Severity]:
    return {f.check: f.severity for f in findings}


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_it_derives_the_facts_of_a_project() -> None:
    facts = health_facts(recorded("sample-http"), Version("1.1.0"), ON)
    assert facts.latest_version == Version("2.0.0")
    assert facts.last_release == date(2025, 2, 18)
    # Releases since 2023-11-22: 2024-03-20, 2024-06-11, 2025-01-07, 2025-02-18 → gaps 83, 210, 42.
    assert facts.cadence_days == 83.0
    assert facts.yanked
    assert facts.yanked_reason == "breaks redirects with proxies; use 1.2.0"
    assert facts.people == 2
    assert facts.status is ProjectState.ACTIVE


def test_it_has_no_cadence_with_fewer_than_two_recent_releases() -> None:
    facts = health_facts(recorded("old-parser"), Version("0.4"), ON)
    assert facts.cadence_days is None
    assert facts.people == 1
    assert health_facts(recorded("old-parser"), None, ON).yanked is False


def test_it_flags_a_yanked_pin_as_medium() -> None:
    findings = health_findings(
        "sample-http", Version("1.1.0"), recorded("sample-http"), HealthPolicy(), ON, WHERE
    )
    yanked = next(f for f in findings if f.check == "yanked")
    assert yanked.rule == "steward/health-yanked"
    assert yanked.severity is Severity.MEDIUM
    assert yanked.locations == (WHERE,)
    assert "breaks redirects" in yanked.detail
    assert yanked.title == "sample-http==1.1.0 was yanked from the package index"


def test_it_says_nothing_of_a_yanked_reason_it_was_not_given() -> None:
    info = replace(recorded("sample-http"), releases=(Release(Version("1.0"), day("2026-10-01"), True),))
    (finding,) = [
        f
        for f in health_findings("s", Version("1.0"), info, HealthPolicy(), ON, WHERE)
        if f.check == "yanked"
    ]
    assert finding.detail == "its authors withdrew this version"


def test_it_flags_an_archived_inactive_stale_project() -> None:
    findings = health_findings(
        "old-parser", Version("0.4"), recorded("old-parser"), HealthPolicy(), ON, (WHERE, WHERE)
    )
    assert checks(findings) == {
        "archived": Severity.MEDIUM,
        "inactive": Severity.MEDIUM,
        "stale": Severity.LOW,
        "few-maintainers": Severity.INFO,
    }
    stale = next(f for f in findings if f.rule == "steward/health-stale")
    assert stale.detail == "last release 2019-08-30; latest version 0.4"
    assert findings[0].locations == (WHERE, WHERE)
    few = next(f for f in findings if f.check == "few-maintainers")
    assert few.title == "old-parser has 1 maintainer (fewer than 3)"
    assert "carol" in few.detail


@pytest.mark.parametrize("state", [ProjectState.QUARANTINED, ProjectState.DEPRECATED])
def test_it_flags_quarantined_and_deprecated_projects(state: ProjectState) -> None:
    info = replace(recorded("org-tool"), status=ProjectStatus(state))
    findings = health_findings("org-tool", None, info, HealthPolicy(), ON, WHERE)
    assert checks(findings) == {state.value: Severity.MEDIUM}
    assert findings[0].rule == f"steward/health-{state.value}"
    assert findings[0].detail == f"the index marks the project {state.value}"


def test_it_does_not_call_an_organisation_owned_project_thinly_staffed() -> None:
    info = recorded("org-tool")
    assert info.organization == "example-org"
    assert health_findings("org-tool", Version("3.1.0"), info, HealthPolicy(), ON, WHERE) == []


def test_it_does_not_judge_staffing_when_the_index_gives_no_ownership() -> None:
    info = replace(recorded("org-tool"), organization=None, ownership_known=False)
    assert health_findings("org-tool", None, info, HealthPolicy(), ON, WHERE) == []
    unknown = replace(info, ownership_known=True, owners=())
    (finding,) = health_findings("org-tool", None, unknown, HealthPolicy(), ON, WHERE)
    assert finding.title == "org-tool has 0 maintainers (fewer than 3)"
    assert "nobody listed" in finding.detail


def test_it_respects_the_policy_switches_and_thresholds() -> None:
    info = recorded("old-parser")
    off = HealthPolicy(stale_months=0, min_maintainers=0, yanked=False, archived=False)
    assert health_findings("old-parser", Version("0.4"), info, off, ON, WHERE) == []
    lenient = HealthPolicy(stale_months=12 * 8, min_maintainers=1)
    assert checks(health_findings("old-parser", Version("0.4"), info, lenient, ON, WHERE)) == {
        "archived": Severity.MEDIUM,
        "inactive": Severity.MEDIUM,
    }
    yanked = recorded("sample-http")
    assert "yanked" not in checks(health_findings("s", Version("1.1.0"), yanked, off, ON, WHERE))


def test_it_counts_stale_from_the_calendar_month() -> None:
    info = replace(recorded("org-tool"), releases=(Release(Version("1"), day("2025-05-22")),))
    assert "stale" not in checks(health_findings("o", None, info, HealthPolicy(), ON, WHERE))
    older = replace(info, releases=(Release(Version("1"), day("2025-05-21")),))
    assert "stale" in checks(health_findings("o", None, older, HealthPolicy(), ON, WHERE))
    never = replace(info, releases=(Release(Version("1"), None),))
    assert health_facts(never, None, ON).last_release is None
    assert "stale" not in checks(health_findings("o", None, never, HealthPolicy(), ON, WHERE))


def test_it_clamps_month_arithmetic_to_the_end_of_the_month() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
    assert months_before(date(2024, 8, 31), 6) == date(2024, 2, 29)
