"""Typosquat detection rules, on a small made-up popular list and on the real one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.findings import TyposquatFinding
from pysteward.engine.model import (
    DirectReference,
    Location,
    PinnedDependency,
    Severity,
    SourceKind,
    UnpinnedDependency,
    normalize,
)
from pysteward.engine.typosquat import (
    RULE,
    PopularNames,
    Trick,
    TyposquatThresholds,
    find_typosquats,
    parse_top_packages,
    typosquat_candidates,
    typosquat_findings,
)

POPULAR = PopularNames.from_counts(
    [
        ("requests", 1_000_000_000),
        ("urllib3", 900_000_000),
        ("python-dateutil", 800_000_000),
        ("six", 700_000_000),
        ("cryptography", 500_000_000),
        ("beautifulsoup4", 300_000_000),
        ("requests-toolbelt", 50_000_000),
        ("urllib4", 40_000_000),
        ("sxi", 1_000_000),
        ("requestz", 900_000),
        ("reqeusts", 20_000_000),
        ("tiny-lib", 1_000),
    ],
    as_of=date(2026, 4, 1),
    source="test",
)
# Ranks: every name counts (none is safe by rank), and `requests-toolbelt` is the only popular one
# that is not a target.
LOOSE = TyposquatThresholds(top=6, safe_rank=0)


def flagged(
    name: str, popular: PopularNames = POPULAR, thresholds: TyposquatThresholds = LOOSE
) -> dict[str, Trick]:
    return {s.similar_to: s.trick for s in typosquat_candidates(name, popular, thresholds)}


@pytest.mark.parametrize(
    ("name", "target", "trick"),
    [
        ("reqeusts", "requests", Trick.SWAPPED),
        ("rqeuests", "requests", Trick.SWAPPED),
        ("requestts", "requests", Trick.DOUBLED),
        ("rrequests", "requests", Trick.DOUBLED),
        ("urlib3", "urllib3", Trick.DROPPED),
        ("beautifulsoup", "beautifulsoup4", Trick.DROPPED),
        ("python-dateutils", "python-dateutil", Trick.ADDED),
        ("crypt0graphy", "cryptography", Trick.LOOKALIKE),
        ("cryptogrsphy", "cryptography", Trick.NEAR_KEY),
        ("requezts", "requests", Trick.NEAR_KEY),
        ("pythondateutil", "python-dateutil", Trick.SEPARATOR),
        ("python.date-util", "python-dateutil", Trick.SEPARATOR),
        ("py-requests", "requests", Trick.AFFIX),
        ("python3-requests", "requests", Trick.AFFIX),
        ("requests-python", "requests", Trick.AFFIX),
        ("Requests_Py", "requests", Trick.AFFIX),
        ("requestspython", "requests", Trick.AFFIX),
    ],
)
def test_it_flags_each_trick_against_the_package_it_imitates(name: str, target: str, trick: Trick) -> None:
    assert flagged(name) == {target: trick}


@pytest.mark.parametrize(
    "name",
    [
        "python_dateutil",  # PEP 503: the same project, not an imitation
        "Requests",
        "gequests",  # a change at the first letter: usually another word, rarely a typo
        "equests",
        "requesms",  # m is neither a look-alike of t nor beside it
        "requestsx",  # an added letter that is neither a double nor a plural
        "requests2",
        "urllib2",  # one digit for another is a version, not a typo
        "reqeustz",  # two edits
        "requestsxy",
        "pyrequests",  # a bare `py` prefix is how bindings are named
        "dateutil",  # a prefix removed is not flagged, only one added
        "tiny-lib",
        "something-else",
    ],
)
def test_it_does_not_flag_honest_or_distant_names(name: str) -> None:
    assert flagged(name) == {}


def test_a_name_in_the_list_far_less_popular_than_its_target_is_flagged() -> None:
    (suspicion,) = typosquat_candidates("reqeusts", POPULAR, LOOSE)
    assert suspicion.downloads == 20_000_000
    assert suspicion.similar_downloads == 1_000_000_000
    assert suspicion.similar_rank == 1
    assert suspicion.name == "reqeusts"
    assert suspicion.reason == "swapped letters ('eu' for 'ue')"


def test_a_name_short_of_the_popularity_gap_is_not_flagged() -> None:
    assert flagged("reqeusts", thresholds=TyposquatThresholds(top=6, safe_rank=0, min_ratio=51)) == {}
    assert flagged("reqeusts", thresholds=TyposquatThresholds(top=6, safe_rank=0, min_ratio=50)) != {}


def test_equal_popularity_is_not_flagged() -> None:
    twins = PopularNames.from_counts([("abcdefg", 10), ("abcdegf", 10)], as_of=date(2026, 1, 1), source="t")
    assert flagged("abcdegf", twins) == {}
    assert flagged("abcdegf", PopularNames.from_counts([("abcdefg", 10)], as_of=date(2026, 1, 1), source="t"))


def test_a_popular_name_ranked_above_the_safe_rank_is_never_flagged() -> None:
    assert POPULAR.rank("reqeusts") == 9
    assert flagged("reqeusts", thresholds=TyposquatThresholds(top=6, safe_rank=9)) == {}
    assert flagged("reqeusts", thresholds=TyposquatThresholds(top=6, safe_rank=8)) == {
        "requests": Trick.SWAPPED
    }


def test_only_the_top_names_are_targets() -> None:
    assert flagged("requests-toolbeltt") == {}
    assert flagged("requests-toolbeltt", thresholds=TyposquatThresholds(top=7, safe_rank=0)) == {
        "requests-toolbelt": Trick.DOUBLED
    }


def test_a_short_name_needs_one_plain_edit_and_a_larger_gap() -> None:
    # `sxi` is 700 times less popular than `six`: enough for a long name, not for a short one.
    assert flagged("sxi") == {}
    lenient = TyposquatThresholds(top=6, safe_rank=0, short_min_ratio=700)
    assert flagged("sxi", thresholds=lenient) == {"six": Trick.SWAPPED}
    assert flagged("sxii") == {}  # not in the list: 0 downloads, but two edits away
    assert flagged("sixx") == {"six": Trick.DOUBLED}
    # Not by separators or affixes: `py-six` and `s-ix` are left alone.
    assert flagged("py-six") == {}
    assert flagged("s-ix") == {}
    assert flagged("s-ix", thresholds=TyposquatThresholds(top=6, safe_rank=0, short_length=2)) == {
        "six": Trick.SEPARATOR
    }


def test_a_name_may_imitate_several_packages() -> None:
    assert flagged("urllib3s") == {"urllib3": Trick.ADDED}
    assert flagged("urllib4", thresholds=TyposquatThresholds(top=8, safe_rank=0)) == {}
    double = PopularNames.from_counts(
        [("abcdefgh", 1000), ("abcdefgi", 900), ("zz", 1)], as_of=date(2026, 1, 1), source="t"
    )
    suspicions = typosquat_candidates("abcdefg", double, TyposquatThresholds(safe_rank=0))
    assert [s.similar_to for s in suspicions] == ["abcdefgh", "abcdefgi"]


def test_the_batch_reports_only_suspects_once_each() -> None:
    found = find_typosquats(["reqeusts", "Reqeusts", "requests", "unknown-package", "urlib3"], POPULAR, LOOSE)
    assert list(found) == ["reqeusts", "urlib3"]
    assert found[normalize("urlib3")][0].similar_to == "urllib3"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"top": -1}, "cannot be negative"),
        ({"safe_rank": -1}, "cannot be negative"),
        ({"min_ratio": 1}, "greater than 1"),
        ({"short_min_ratio": 0.5}, "greater than 1"),
    ],
)
def test_it_refuses_thresholds_that_make_no_sense(fields: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TyposquatThresholds(**fields)  # type: ignore[arg-type]


def _pin(name: str, version: str, path: str, line: int) -> PinnedDependency:
    return PinnedDependency(
        name=normalize(name), display_name=name, location=Location(Path(path), line), version=Version(version)
    )


def test_findings_group_every_place_that_names_a_suspect_package() -> None:
    dependencies = [
        _pin("Reqeusts", "2.0", "requirements.txt", 3),
        _pin("reqeusts", "2.0", "uv.lock", 10),
        _pin("reqeusts", "2.0", "uv.lock", 10),
        _pin("reqeusts", "1.0", "old.txt", 1),
        _pin("requests", "2.32", "requirements.txt", 4),
        UnpinnedDependency(
            name=normalize("urlib3"), display_name="urlib3", location=Location(Path("setup.cfg"))
        ),
        DirectReference(
            name=normalize("py-requests"),
            display_name="py-requests",
            location=Location(Path("requirements.txt"), 9),
            kind=SourceKind.URL,
            url="https://example.invalid/py_requests-1.0.tar.gz",
        ),
    ]
    findings = typosquat_findings(dependencies, POPULAR, LOOSE)
    assert [(f.package, f.version) for f in findings] == [
        ("reqeusts", Version("1.0")),
        ("reqeusts", Version("2.0")),
        ("urlib3", None),
    ]
    second = findings[1]
    assert isinstance(second, TyposquatFinding)
    assert second.kind == "typosquat"
    assert second.rule == RULE
    assert second.severity is Severity.MEDIUM
    assert second.locations == (Location(Path("requirements.txt"), 3), Location(Path("uv.lock"), 10))
    assert second.similar_to == "requests"
    assert second.similar_downloads == 1_000_000_000
    assert second.reason == "swapped letters ('eu' for 'ue')"
    assert second.title == "Reqeusts may be a typosquat of requests: swapped letters ('eu' for 'ue')"


@pytest.fixture(scope="module")
def real(shared_data: Path) -> PopularNames:
    path = shared_data / "top-pypi-packages.json"
    return parse_top_packages(path.read_bytes(), source=str(path))


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("reqeusts", "requests"),
        ("python-dateutils", "python-dateutil"),
        ("urlib3", "urllib3"),
        ("beautifulsoup", "beautifulsoup4"),
        ("crypt0graphy", "cryptography"),
        ("py-requests", "requests"),
        ("requests-python", "requests"),
        ("pythondateutil", "python-dateutil"),
    ],
)
def test_classic_squats_are_flagged_against_the_real_list(real: PopularNames, name: str, target: str) -> None:
    assert target in {s.similar_to for s in typosquat_candidates(name, real)}


def test_few_of_the_real_popular_names_are_flagged_against_each_other(real: PopularNames) -> None:
    found = find_typosquats((name for name, _ in real.names), real)
    assert 0 < len(found) < 0.005 * len(real)
    assert all(real.rank(name) > 1000 for name in found)  # type: ignore[operator]
