"""The compiled and indexed matchers agree with a plain walk of the OSV event list."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from pysteward.engine.advisories import Advisory, MemoryAdvisories, PackageIndex, match, match_all
from pysteward.engine.advisories.compiled import compile_stored, record_ranges
from pysteward.engine.advisories.ranges import version_key
from pysteward.engine.model import normalize
from tests.engine.advisories.helpers import Events, advisory

pytestmark = pytest.mark.property
DEMO = normalize("demo")

_SUFFIXES = ["", "a1", "b2", "rc1", "a1.dev3", ".post1", ".dev0", ".post1.dev2", "rc1.post2"]
versions = st.builds(
    lambda epoch, major, minor, suffix, local: f"{epoch}{major}.{minor}{suffix}{local}",
    st.sampled_from(["", "", "", "1!"]),
    st.integers(0, 3),
    st.integers(0, 2),
    st.sampled_from(_SUFFIXES),
    st.sampled_from(["", "", "", "+cpu"]),
)
event_versions = versions.map(lambda v: v.split("+")[0]) | st.just("0")
events = st.lists(
    st.tuples(st.sampled_from(["introduced", "fixed", "last_affected", "limit"]), event_versions),
    min_size=1,
    max_size=6,
).map(lambda evs: [("introduced", evs[0][1]), *evs[1:]])


def naive_in_range(version: Version, events: Events) -> bool:
    """OSV § Evaluation, written out as the spec states it."""
    public = Version(version.public)
    limits = [v for kind, v in events if kind == "limit"]
    if limits and not any(v == "*" or public < Version(v) for v in limits):
        return False

    def order(event: tuple[str, str]) -> tuple[int, Version]:
        kind, value = event
        if kind == "introduced" and value == "0":
            return (0, Version("0"))
        return (1, Version(value))

    vulnerable = False
    for kind, value in sorted((e for e in events if not (e[0] == "limit" and e[1] == "*")), key=order):
        if kind == "introduced" and (value == "0" or public >= Version(value)):
            vulnerable = True
        elif kind == "fixed" and public >= Version(value):  # noqa: SIM114 - as the spec writes it
            vulnerable = False
        elif kind == "last_affected" and public > Version(value):
            vulnerable = False
    return vulnerable


def naive(version: Version, ranges: list[Events], listed: list[str]) -> bool:
    public = Version(version.public)
    return any(public == Version(v) for v in listed) or any(naive_in_range(version, r) for r in ranges)


@settings(max_examples=400, deadline=None)
@given(
    ranges=st.lists(events, min_size=0, max_size=3),
    listed=st.lists(versions.map(lambda v: v.split("+")[0]), max_size=3),
    probes=st.lists(versions, min_size=1, max_size=8),
)
def test_compiled_and_indexed_matchers_agree_with_the_plain_walk(
    ranges: list[Events], listed: list[str], probes: list[str]
) -> None:
    record = advisory("PYSEC-1", ranges=ranges, versions=listed)
    other = advisory("GHSA-2", ranges=ranges[:1])
    source = MemoryAdvisories([record, other])
    indexed = match_all([("demo", Version(p)) for p in probes], source)
    stored = _stored_index([record, other])
    for probe in probes:
        version = Version(probe)
        expected = naive(version, ranges, listed)
        assert bool(match("demo", version, [record])) is expected
        assert ("PYSEC-1" in {f.advisory.id for f in indexed[(DEMO, version)]}) is expected
        assert ("GHSA-2" in {f.advisory.id for f in indexed[(DEMO, version)]}) is naive(
            version, ranges[:1], []
        )
        # The index the store compiles at import time gives the same records and the same fixes.
        found = [(f.advisory.id, str(f.fixed_in)) for f in stored.match(version)]
        assert found == [(f.advisory.id, str(f.fixed_in)) for f in indexed[(DEMO, version)]]
        assert found == [(f.advisory.id, str(f.fixed_in)) for f in match("demo", version, [other, record])]


def _stored_index(records: list[Advisory]) -> PackageIndex:
    """The index of `demo` as `compile_stored` writes it at import time, read back."""
    parts = [(a.id, r.dumps()) for a in records if (r := record_ranges(a, DEMO)) is not None]
    by_id = {a.id: a for a in records}
    return PackageIndex.stored(DEMO, compile_stored(parts), lambda ids: {i: by_id[i] for i in ids}, {})  # type: ignore[index]


@settings(max_examples=400, deadline=None)
@given(left=versions, right=versions)
def test_the_stored_version_key_orders_versions_as_pep_440_does(left: str, right: str) -> None:
    a, b = Version(Version(left).public), Version(Version(right).public)
    assert (version_key(Version(left)) < version_key(Version(right))) is (a < b)
    assert (version_key(Version(left)) == version_key(Version(right))) is (a == b)
