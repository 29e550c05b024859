"""One finding per vulnerability: records that alias each other are grouped."""

from __future__ import annotations

from packaging.version import Version

from pysteward.engine.advisories import group, match, primary_id
from pysteward.engine.model import Severity
from tests.engine.advisories.helpers import advisory

V3_HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"


def test_records_that_alias_each_other_become_one_vulnerability() -> None:
    records = [
        advisory(
            "GHSA-aaaa",
            ranges=[[("introduced", "0"), ("fixed", "1.5")]],
            aliases=["CVE-2024-1"],
            summary="Path traversal",
            database_specific={"severity": "MODERATE"},
            references=[{"type": "WEB", "url": "https://a.invalid/1"}],
            published="2024-02-01T00:00:00Z",
        ),
        advisory(
            "PYSEC-2024-9",
            ranges=[[("introduced", "0"), ("fixed", "1.4.2")]],
            aliases=["CVE-2024-1", "GHSA-aaaa"],
            details="Demo lets attackers read files.\nMore.",
            severity=[{"type": "CVSS_V3", "score": V3_HIGH}],
            published="2024-01-01T00:00:00Z",
            references=[
                {"type": "WEB", "url": "https://a.invalid/1"},
                {"type": "FIX", "url": "https://a.invalid/2"},
            ],
        ),
        advisory("GHSA-other", ranges=[[("introduced", "0")]], details="Unrelated flaw."),
    ]
    vulns = group(match("demo", Version("1.0"), records))
    assert [v.id for v in vulns] == ["PYSEC-2024-9", "GHSA-other"]
    merged = vulns[0]
    assert merged.aliases == ("CVE-2024-1", "GHSA-aaaa")
    assert merged.records == ("GHSA-aaaa", "PYSEC-2024-9")
    assert merged.summary == "Path traversal"
    assert merged.details.startswith("Demo lets attackers")
    assert merged.severity is Severity.HIGH
    assert merged.fix_versions == (Version("1.4.2"), Version("1.5"))
    assert merged.published == "2024-01-01T00:00:00Z"
    assert merged.references == ("https://a.invalid/1", "https://a.invalid/2")
    assert vulns[1].summary == "Unrelated flaw."
    assert vulns[1].fix_versions == ()


def test_grouping_is_transitive_and_follows_upstream_ids() -> None:
    records = [
        advisory("GHSA-1", versions=["1.0"], aliases=["CVE-1"]),
        advisory("GHSA-2", versions=["1.0"], upstream=["CVE-1"]),
        advisory("OSV-3", versions=["1.0"], aliases=["GHSA-2"]),
    ]
    vulns = group(match("demo", Version("1.0"), records))
    assert len(vulns) == 1
    assert vulns[0].id == "GHSA-1"
    assert vulns[0].aliases == ("CVE-1", "GHSA-2", "OSV-3")


def test_the_primary_id_prefers_pysec_then_ghsa_then_others_stably() -> None:
    assert primary_id(["CVE-1", "GHSA-b", "PYSEC-2", "PYSEC-1"]) == "PYSEC-1"
    assert primary_id(["CVE-1", "GHSA-b", "GHSA-a"]) == "GHSA-a"
    assert primary_id(["OSV-2", "CVE-1"]) == "CVE-1"


def test_a_group_with_a_malicious_record_is_malicious_and_sorted_first() -> None:
    records = [
        advisory("PYSEC-1", versions=["1.0"], severity=[{"type": "CVSS_V3", "score": V3_HIGH}]),
        advisory("MAL-2099-1", versions=["1.0"], summary="Malicious code in demo"),
    ]
    vulns = group(match("demo", Version("1.0"), records))
    assert [(v.id, v.malicious, v.severity) for v in vulns] == [
        ("MAL-2099-1", True, Severity.MALICIOUS),
        ("PYSEC-1", False, Severity.HIGH),
    ]
