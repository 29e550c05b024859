"""The candidate-side near-name table finds what a full index over the popular names found."""

from __future__ import annotations

from pathlib import Path

from pysteward.engine.typosquat import DEFAULT_THRESHOLDS, parse_top_packages
from pysteward.engine.typosquat._edits import cores, deletions, key
from pysteward.engine.typosquat._index import near_targets
from pysteward.engine.typosquat.detect import _trick

Index = tuple[dict[str, set[int]], dict[str, set[int]]]


def full_index(targets: list[str]) -> Index:
    """The previous way: every popular key and each of its deletions indexed."""
    by_key: dict[str, set[int]] = {}
    by_deletion: dict[str, set[int]] = {}
    for position, target in enumerate(targets):
        by_key.setdefault(key(target), set()).add(position)
        for deleted in deletions(key(target)):
            by_deletion.setdefault(deleted, set()).add(position)
    return by_key, by_deletion


def full_index_near(name: str, index: Index, min_core: int) -> list[int]:
    by_key, by_deletion = index
    name_key = key(name)
    found = by_key.get(name_key, set()) | by_deletion.get(name_key, set())
    for deleted in deletions(name_key):
        found |= by_key.get(deleted, set()) | by_deletion.get(deleted, set())
    for core in cores(name, min_core):
        found |= by_key.get(core, set())
    return sorted(found)


def test_it_gives_the_same_classified_matches_as_a_full_index_on_the_real_list(shared_data: Path) -> None:
    path = shared_data / "top-pypi-packages.json"
    popular = parse_top_packages(path.read_bytes(), source=str(path))
    targets: list[str] = [name for name, _ in popular.names[: DEFAULT_THRESHOLDS.top]]
    # Every 30th name across the whole list: popular, middling and unlisted-like names alike.
    sample = [name for name, _ in popular.names[::30]][:500]
    min_core = DEFAULT_THRESHOLDS.short_length + 1
    fast = near_targets(sample, targets, min_core)
    index = full_index(targets)

    def classified(name: str, positions: list[int]) -> list[int]:
        return [p for p in positions if _trick(name, targets[p], DEFAULT_THRESHOLDS) is not None]

    matched = 0
    for name, positions in zip(sample, fast, strict=True):
        expected = classified(name, full_index_near(name, index, min_core))
        assert classified(name, positions) == expected, name
        matched += bool(expected)
    assert matched > 10
