"""The license policy: parsing `[tool.steward.licenses]` and the findings it gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.licenses import (
    LicenseEvidence,
    LicensePolicy,
    judge_license,
    license_findings,
    parse_license_policy,
)
from pysteward.engine.model import Location, Severity

WHERE = Location(Path("uv.lock"), 12)


def findings(
    expression: str | None, policy: LicensePolicy, *, text: str | None = None
) -> list[tuple[str, str]]:
    verdict = judge_license(LicenseEvidence(expression=expression, text=text, source="index"))
    return [(f.reason, f.title) for f in license_findings("demo", Version("1.0"), verdict, policy, WHERE)]


def reasons(expression: str | None, policy: LicensePolicy, *, text: str | None = None) -> list[str]:
    return [reason for reason, _ in findings(expression, policy, text=text)]


def test_it_parses_a_full_policy_table_and_normalises_ids() -> None:
    policy = parse_license_policy(
        {
            "allow": ["Permissive", "mpl-2.0", "GPL-2.0"],
            "deny": ["network-copyleft", "GPL-3.0+"],
            "project-license": "apache-2.0",
            "check-project-compatibility": False,
            "fail-on-unknown": False,
            "fail-on-non-osi": True,
        }
    )
    assert policy == LicensePolicy(
        allow=("permissive", "MPL-2.0", "GPL-2.0-only"),
        deny=("network-copyleft", "GPL-3.0-or-later"),
        project_license="Apache-2.0",
        check_project_compatibility=False,
        flag_unknown=False,
        flag_non_osi=True,
    )


def test_an_empty_table_gives_the_defaults() -> None:
    assert parse_license_policy({}) == LicensePolicy()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"alow": []}, "alow: unknown setting"),
        ({"allow": "MIT"}, "allow: must be a list"),
        (
            {"deny": ["MIT", "Nonsense-1.0"]},
            "deny[1]: 'Nonsense-1.0' is neither an SPDX license id nor a class",
        ),
        ({"deny": [3]}, "deny[0]: 3 is neither"),
        ({"allow": [" "]}, "allow[0]: ' ' is neither"),
        ({"allow": ["MIT OR ISC"]}, "allow[0]: 'MIT OR ISC' is an expression"),
        ({"allow": ["MIT"], "deny": ["mit"]}, "allow, deny: MIT is in both lists"),
        ({"project-license": "Apache 2"}, "project-license: 'Apache 2' is not a valid SPDX"),
        ({"project-license": ["MIT"]}, "project-license: ['MIT'] is not"),
        ({"fail-on-unknown": "yes"}, "fail-on-unknown: must be true or false"),
        ({"check-project-compatibility": 1}, "check-project-compatibility: must be true or false"),
    ],
)
def test_it_refuses_bad_policy_tables_with_a_clear_message(table: dict[str, object], message: str) -> None:
    with pytest.raises(
        ValueError, match="^" + message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")
    ):
        parse_license_policy(table)


def test_a_denied_id_is_a_high_finding_with_the_package_and_location() -> None:
    policy = parse_license_policy({"deny": ["GPL-3.0-only"]})
    verdict = judge_license(LicenseEvidence(expression="GPL-3.0-only", source="index"))
    [finding] = license_findings("demo", Version("1.0"), verdict, policy, WHERE)
    assert finding.rule == "steward/license-denied"
    assert finding.severity is Severity.HIGH
    assert finding.title == "demo 1.0: license GPL-3.0-only is denied by the policy (deny list: GPL-3.0-only)"
    assert finding.locations == (WHERE,)
    assert (finding.package, finding.version, finding.license) == ("demo", Version("1.0"), "GPL-3.0-only")
    assert finding.license_class == "strong-copyleft"
    assert finding.kind == "license"


def test_a_denied_class_catches_every_license_in_it() -> None:
    policy = parse_license_policy({"deny": ["strong-copyleft"]})
    assert reasons("GPL-2.0-or-later", policy) == ["denied"]
    assert reasons("MIT", policy) == []


def test_an_allow_list_denies_other_known_licenses_but_not_unknown_ones() -> None:
    policy = parse_license_policy({"allow": ["permissive"]})
    assert reasons("MIT", policy) == []
    assert findings("MPL-2.0", policy) == [
        ("denied", "demo 1.0: license MPL-2.0 is denied by the policy (not in the allow list)")
    ]
    assert reasons(None, policy, text="made-up license") == ["unknown"]


def test_an_allowed_id_beats_a_denied_class() -> None:
    policy = parse_license_policy({"allow": ["LGPL-2.1-only"], "deny": ["weak-copyleft"]})
    assert reasons("LGPL-2.1-only", policy) == []
    assert reasons("LGPL-3.0-only", policy) == ["denied"]


def test_a_denied_id_beats_an_allowed_class() -> None:
    policy = parse_license_policy({"allow": ["permissive"], "deny": ["ISC"]})
    assert reasons("ISC", policy) == ["denied"]


def test_a_denied_license_matches_with_or_without_its_exception() -> None:
    policy = parse_license_policy({"deny": ["GPL-2.0-only"]})
    assert reasons("GPL-2.0-only WITH Classpath-exception-2.0", policy) == ["denied"]


def test_an_or_is_accepted_through_any_alternative_the_policy_allows() -> None:
    policy = parse_license_policy({"deny": ["MPL-2.0"]})
    assert reasons("MPL-2.0 OR LGPL-2.1-only", policy) == []
    [(reason, title)] = findings("MPL-2.0 OR MPL-2.0 AND MIT", policy)
    assert reason == "denied"
    assert "(the most permissive choice of" in title


def test_a_strong_copyleft_dependency_is_incompatible_with_a_permissive_project() -> None:
    policy = parse_license_policy({"project-license": "Apache-2.0"})
    assert findings("GPL-3.0-only", policy) == [
        (
            "incompatible",
            "demo 1.0: strong-copyleft license GPL-3.0-only is incompatible with the project's Apache-2.0",
        )
    ]
    assert reasons("AGPL-3.0-only", policy) == ["incompatible"]
    assert reasons("LGPL-3.0-only", policy) == []
    assert reasons("MIT OR GPL-3.0-only", policy) == []


def test_compatibility_depends_on_the_projects_own_class() -> None:
    gpl3 = parse_license_policy({"project-license": "GPL-3.0-or-later"})
    assert reasons("GPL-2.0-or-later", gpl3) == []
    assert reasons("AGPL-3.0-only", gpl3) == ["incompatible"]
    agpl = parse_license_policy({"project-license": "AGPL-3.0-only"})
    assert reasons("AGPL-3.0-only", agpl) == []
    mpl = parse_license_policy({"project-license": "MPL-2.0"})
    assert reasons("GPL-2.0-only", mpl) == ["incompatible"]
    private = parse_license_policy({"project-license": "LicenseRef-Proprietary"})
    assert reasons("GPL-2.0-only", private) == ["incompatible"]
    unknown = parse_license_policy({"project-license": "LicenseRef-Ours"})
    assert reasons("AGPL-3.0-only", unknown) == []


def test_a_gpl_2_only_project_cannot_take_apache_2_or_gpl_3() -> None:
    policy = parse_license_policy({"project-license": "GPL-2.0-only"})
    assert reasons("Apache-2.0", policy) == ["incompatible"]
    assert reasons("LGPL-3.0-or-later", policy) == ["incompatible"]
    assert reasons("MIT", policy) == []
    later = parse_license_policy({"project-license": "GPL-2.0-or-later"})
    assert reasons("Apache-2.0", later) == []


def test_compatibility_can_be_switched_off_and_an_explicit_allow_skips_it() -> None:
    off = parse_license_policy({"project-license": "MIT", "check-project-compatibility": False})
    assert reasons("GPL-3.0-only", off) == []
    allowed = parse_license_policy({"project-license": "MIT", "allow": ["permissive", "GPL-3.0-only"]})
    assert reasons("GPL-3.0-only", allowed) == []
    assert reasons("GPL-2.0-only", allowed) == ["denied"]
    by_class = parse_license_policy({"project-license": "MIT", "allow": ["strong-copyleft"]})
    assert reasons("GPL-2.0-only", by_class) == []


def test_an_unknown_license_is_a_low_finding_unless_switched_off() -> None:
    policy = LicensePolicy()
    verdict = judge_license(LicenseEvidence(text="Some Custom Terms", source="metadata"))
    [finding] = license_findings("demo", None, verdict, policy, WHERE)
    assert (finding.reason, finding.severity) == ("unknown", Severity.LOW)
    assert finding.title == "demo: license Some Custom Terms cannot be classified"
    assert finding.rule == "steward/license-unknown"
    assert findings(None, policy) == [("unknown", "demo 1.0: no license found")]
    assert reasons(None, LicensePolicy(flag_unknown=False)) == []
    assert reasons(None, parse_license_policy({"allow": ["unknown"]})) == []
    assert reasons(None, parse_license_policy({"deny": ["unknown"]})) == ["denied"]


def test_a_non_osi_license_is_flagged_only_when_asked() -> None:
    assert reasons("MIT AND CC-BY-4.0", LicensePolicy()) == []
    [(reason, title)] = findings("MIT AND CC-BY-4.0", LicensePolicy(flag_non_osi=True))
    assert reason == "not-osi"
    assert title == "demo 1.0: license MIT AND CC-BY-4.0 is not OSI-approved"
    assert reasons("MIT", LicensePolicy(flag_non_osi=True)) == []
    allowed = parse_license_policy({"fail-on-non-osi": True, "allow": ["CC-BY-4.0", "MIT"]})
    assert reasons("MIT AND CC-BY-4.0", allowed) == []
