"""Matching versions against OSV ranges and versions lists (OSV § Evaluation, PEP 440 order)."""

from __future__ import annotations

import gc
from collections.abc import Iterable

import pytest
from packaging.version import Version

from pysteward._types import AdvisoryId
from pysteward.engine.advisories import Advisory, MemoryAdvisories, PackageIndex, match, match_all
from pysteward.engine.advisories.compiled import compile_stored, record_ranges
from pysteward.engine.model import normalize
from tests.engine.advisories.helpers import advisory

V = Version


def affected(version: str, **kwargs: object) -> bool:
    record = advisory("PYSEC-1", **kwargs)  # type: ignore[arg-type]
    return bool(match("demo", V(version), [record]))


SEVERAL = [
    ("introduced", "0"),
    ("fixed", "1.2"),
    ("introduced", "2.0"),
    ("fixed", "2.3.1"),
    ("introduced", "3.0"),
]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.1", True),
        ("1.1.9", True),
        ("1.2", False),
        ("1.9", False),
        ("2.0", True),
        ("2.3", True),
        ("2.3.1", False),
        ("2.9", False),
        ("3.0", True),
        ("99", True),
    ],
)
def test_it_evaluates_a_range_with_several_intervals(version: str, expected: bool) -> None:
    assert affected(version, ranges=[SEVERAL]) is expected


def test_it_sorts_events_written_out_of_order_before_walking_them() -> None:
    shuffled = [SEVERAL[3], SEVERAL[0], SEVERAL[4], SEVERAL[1], SEVERAL[2]]
    assert [affected(v, ranges=[shuffled]) for v in ("1.0", "1.5", "2.1", "2.5", "3.1")] == [
        True,
        False,
        True,
        False,
        True,
    ]


def test_it_includes_last_affected_and_excludes_what_follows() -> None:
    events = [("introduced", "1.0"), ("last_affected", "1.11.0")]
    assert affected("1.11", ranges=[events])
    assert not affected("1.11.0.post1", ranges=[events])
    assert not affected("0.9", ranges=[events])


def test_it_caps_a_range_at_its_limit() -> None:
    events = [("introduced", "0"), ("limit", "2.0")]
    assert affected("1.9", ranges=[events])
    assert not affected("2.0", ranges=[events])
    assert affected("5.0", ranges=[[("introduced", "0"), ("limit", "*")]])


def test_it_matches_a_versions_list_without_ranges_canonically() -> None:
    assert affected("2.2.0", versions=["2.2", "2.4"])
    assert affected("2.4", versions=["2.2", "2.4.0"])
    assert not affected("2.3", versions=["2.2", "2.4"])


def test_it_ignores_versions_the_list_cannot_parse() -> None:
    assert affected("1.0", versions=["not a version!", "1.0"])


def test_it_matches_a_local_version_on_its_public_part_and_reports_the_label() -> None:
    record = advisory("PYSEC-1", ranges=[[("introduced", "1.0"), ("fixed", "1.9")]])
    found = match("demo", V("1.8.0+cpu"), [record])
    assert [f.version for f in found] == [V("1.8.0+cpu")]
    assert found[0].fixed_in == V("1.9")
    assert match("demo", V("2.0+cpu"), [record]) == []


def test_it_orders_epochs_before_release_numbers() -> None:
    events = [("introduced", "0"), ("fixed", "1!1.0")]
    assert affected("2024.1", ranges=[events])
    assert not affected("1!1.0", ranges=[events])


def test_it_treats_pre_releases_of_the_fix_as_unfixed_and_rc_fixes_as_fixes() -> None:
    events = [("introduced", "1.0"), ("fixed", "2.0rc1")]
    assert affected("2.0b3", ranges=[events])
    assert not affected("2.0rc1", ranges=[events])
    assert not affected("2.0", ranges=[events])
    assert affected("1.0.dev1", ranges=[events]) is False
    assert affected("1.0.post1", ranges=[events])


def test_it_never_matches_a_withdrawn_record() -> None:
    record = advisory("PYSEC-1", ranges=[[("introduced", "0")]], withdrawn="2024-02-01T00:00:00Z")
    assert match("demo", V("1.0"), [record]) == []
    assert match_all([("demo", V("1.0"))], MemoryAdvisories([record])) == {("demo", V("1.0")): []}


def test_it_never_compares_git_ranges_as_versions() -> None:
    git = [("introduced", "0"), ("fixed", "abc1234")]
    assert not affected("1.0", git=git)
    assert affected("1.0", git=git, versions=["1.0"])


def test_it_ignores_other_packages_and_normalizes_names() -> None:
    record = advisory("PYSEC-1", "Demo_Pkg", ranges=[[("introduced", "0")]])
    assert match("demo.pkg", V("1"), [record])
    assert not match("other", V("1"), [record])


def test_it_reports_the_smallest_fix_above_the_version_in_use() -> None:
    record = advisory("PYSEC-1", ranges=[SEVERAL])
    assert match("demo", V("1.0"), [record])[0].fixed_in == V("1.2")
    assert match("demo", V("2.1"), [record])[0].fixed_in == V("2.3.1")
    assert match("demo", V("3.1"), [record])[0].fixed_in is None
    only_listed = advisory("PYSEC-2", versions=["1.0"])
    assert match("demo", V("1.0"), [only_listed])[0].fixed_in is None


def test_match_all_keys_every_pin_and_agrees_with_match() -> None:
    records = [
        advisory("PYSEC-1", ranges=[SEVERAL]),
        advisory("GHSA-1", versions=["2.9"]),
        advisory("PYSEC-3", "other", ranges=[[("introduced", "0"), ("fixed", "5")]]),
    ]
    pins = [("demo", V("1.0")), ("Demo", V("2.9")), ("other", V("4")), ("clean", V("1"))]
    result = match_all(pins, MemoryAdvisories(records))
    assert set(result) == {("demo", V("1.0")), ("demo", V("2.9")), ("other", V("4")), ("clean", V("1"))}
    for (name, version), found in result.items():
        assert found == match(name, version, records)
    assert [f.advisory.id for f in result[(normalize("demo"), V("2.9"))]] == ["GHSA-1"]


class CountingSource(MemoryAdvisories):
    def __init__(self, advisories: list[Advisory]) -> None:
        super().__init__(advisories)
        self.asked: list[set[str]] = []

    def advisories_for(self, names):
        self.asked.append(set(names))
        return super().advisories_for(names)


def test_package_indexes_are_built_once_per_package() -> None:
    source = CountingSource([advisory("PYSEC-1", versions=["1.0"])])
    match_all([("demo", V("1.0")), ("clean", V("1"))], source)
    second = match_all([("demo", V("1.0")), ("clean", V("2"))], source)
    assert source.asked == [{"demo", "clean"}]
    assert [f.advisory.id for f in second[(normalize("demo"), V("1.0"))]] == ["PYSEC-1"]


def test_a_package_index_lists_only_live_records_of_its_package() -> None:
    records = [
        advisory("PYSEC-2", versions=["1.0"]),
        advisory("PYSEC-1", ranges=[[("introduced", "0")]]),
        advisory("PYSEC-3", versions=["1.0"], withdrawn="2024-01-01T00:00:00Z"),
        advisory("PYSEC-4", "other", versions=["1.0"]),
    ]
    index = PackageIndex(normalize("demo"), records)
    assert len(index) == 2
    assert [a.id for a in index.advisories()] == ["PYSEC-1", "PYSEC-2"]


def _stored(name: str, records: list[Advisory]) -> tuple[PackageIndex, list[set[str]]]:
    """`name`'s index as the store keeps it, with a loader that records what it was asked for."""
    package = normalize(name)
    by_id = {a.id: a for a in records}
    parts = [(a.id, r.dumps()) for a in records if (r := record_ranges(a, package)) is not None]
    asked: list[set[str]] = []

    def loader(ids: Iterable[str]) -> dict[str, Advisory]:
        asked.append(set(ids))
        return {i: by_id[AdvisoryId(i)] for i in asked[-1]}

    return PackageIndex.stored(package, compile_stored(parts), loader, {}), asked


def test_a_stored_index_loads_only_the_records_that_match() -> None:
    records = [
        advisory("PYSEC-1", ranges=[SEVERAL]),
        advisory("PYSEC-2", versions=["9.0"]),
        advisory("PYSEC-3", ranges=[[("introduced", "2.0"), ("fixed", "2.1")]]),
    ]
    index, asked = _stored("demo", records)
    memory = PackageIndex(normalize("demo"), records)
    found = index.match(V("2.0.0+cpu"))
    assert found == memory.match(V("2.0.0+cpu"))
    assert [(f.advisory.id, f.fixed_in) for f in found] == [("PYSEC-1", V("2.3.1")), ("PYSEC-3", V("2.1"))]
    assert asked == [{"PYSEC-1", "PYSEC-3"}]
    assert index.match(V("1.0"))[0].fixed_in == V("1.2")
    assert asked == [{"PYSEC-1", "PYSEC-3"}]  # already loaded
    assert [a.id for a in index.advisories()] == ["PYSEC-1", "PYSEC-2", "PYSEC-3"]
    assert asked[-1] == {"PYSEC-2"}
    assert len(index) == len(memory) == 3


def test_an_index_keeps_each_records_own_spelling_of_a_fix() -> None:
    records = [
        advisory("PYSEC-1", ranges=[[("introduced", "0"), ("fixed", "2.0.0")]]),
        advisory("PYSEC-2", ranges=[[("introduced", "0"), ("fixed", "2.0")]]),
    ]
    index, _ = _stored("demo", records)
    fixes = [str(f.fixed_in) for f in index.match(V("1"))]
    assert fixes == [str(f.fixed_in) for f in match("demo", V("1"), records)] == ["2.0.0", "2.0"]


def test_listed_versions_outside_every_range_still_match() -> None:
    record = advisory(
        "PYSEC-1", ranges=[[("introduced", "1.0"), ("fixed", "1.5")]], versions=["1.2", "3.0.0"]
    )
    index, _ = _stored("demo", [record])
    assert [bool(index.match(V(v))) for v in ("1.2", "3", "3.0.0.post1", "0.9")] == [True, True, False, False]


def test_a_repeated_pin_keeps_its_first_key_and_the_version_given_last() -> None:
    first, last = V("1.0"), V("1.0.0")
    result = match_all(
        [("demo", first), ("Demo", last)], MemoryAdvisories([advisory("PYSEC-1", versions=["1"])])
    )
    [(key, found)] = result.items()
    assert str(key[1]) == "1.0"
    assert str(found[0].version) == "1.0.0"


def test_match_all_leaves_a_disabled_collector_disabled() -> None:
    source = MemoryAdvisories([advisory("PYSEC-1", versions=["1.0"])])
    gc.disable()
    try:
        assert match_all([("demo", V("1.0"))], source)[(normalize("demo"), V("1.0"))]
        assert not gc.isenabled()
    finally:
        gc.enable()
    match_all([("demo", V("1.0"))], source)
    assert gc.isenabled()
