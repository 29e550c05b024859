"""Helpers shared by the formats, and findings of a kind no format knows yet."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

from pysteward.engine.assessment import Assessment
from pysteward.engine.findings import Finding
from pysteward.engine.model import Location, Platform, Severity, Target
from pysteward.formats import JsonFormat, MarkdownFormat, SarifFormat, TableFormat
from pysteward.formats._common import iso_datetime, python_key, sorted_findings, targets_text


def test_it_summarises_a_full_grid_of_targets() -> None:
    targets = [
        Target(p, platform) for p in ("3.10", "3.9") for platform in (Platform.WINDOWS, Platform.LINUX)
    ]
    assert targets_text(targets) == "3.9, 3.10 on linux, windows"


def test_it_lists_targets_that_do_not_form_a_grid() -> None:
    targets = [Target("3.12", Platform.LINUX), Target("3.9", Platform.MACOS)]
    assert targets_text(targets) == "3.9/macos, 3.12/linux"
    assert targets_text([]) == "none"


def test_it_orders_python_versions_numerically() -> None:
    assert sorted(["3.10", "3.9", "3.13t", "2.7"], key=python_key) == ["2.7", "3.13t", "3.9", "3.10"]


def test_it_writes_timestamps_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert iso_datetime(datetime(2026, 11, 22, 10, 0, tzinfo=paris)) == "2026-11-22T09:00:00Z"
    assert iso_datetime(datetime(2026, 11, 22, 9, 0, tzinfo=UTC)) == "2026-11-22T09:00:00Z"
    assert iso_datetime(None) is None


def test_it_ranks_unknown_kinds_after_known_ones_of_the_same_severity(sample: Assessment) -> None:
    odd = Finding(rule="steward/other", severity=Severity.INFO, title="odd", locations=())
    known = next(f for _, f in sample.findings() if f.kind == "unresolvable")
    assert sorted_findings([odd, known]) == [known, odd]


def test_every_format_renders_a_finding_of_an_unknown_kind(sample: Assessment) -> None:
    web = sample.projects[0]
    odd = Finding(
        rule="steward/other",
        severity=Severity.LOW,
        title="something new",
        locations=(Location(web.path / "a.txt", 1), Location(web.path / "b.txt", 2)),
    )
    assessment = dataclasses.replace(sample, projects=(dataclasses.replace(web, findings=(odd,)),))
    (finding,) = json.loads(JsonFormat().render(assessment))["projects"][0]["findings"]
    assert finding == {
        "kind": "finding",
        "rule": "steward/other",
        "severity": "low",
        "title": "something new",
        "locations": [{"path": "a.txt", "line": 1}, {"path": "b.txt", "line": 2}],
        "failing": False,
    }
    rules = json.loads(SarifFormat().render(assessment))["runs"][0]["tool"]["driver"]["rules"]
    assert [(r["id"], r["name"]) for r in rules if r["id"] == "steward/other"] == [
        ("steward/other", "StewardFinding")
    ]
    assert "- **low**: something new (a.txt:1 (+1 more))" in MarkdownFormat().render(assessment)
    assert "something new" in TableFormat().render(assessment)
