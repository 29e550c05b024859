"""The string-level tricks, called directly (detection only asks about names the index found)."""

from __future__ import annotations

import pytest

from pysteward.engine.typosquat._edits import Trick, cores, deletions, key, near_keys, single_edit


@pytest.mark.parametrize(
    ("candidate", "target", "expected"),
    [
        ("requests", "requests", None),
        ("reqxuestz", "requests", None),  # one longer, but two edits
        ("rqeuestz", "requests", None),  # a swap plus a substitution
        ("reqests", "requests", (Trick.DROPPED, "drops 'u'")),
        ("reqxests", "requests", None),  # x is not beside u
        ("requestsss", "requests", None),
        ("requests", "requestsss", None),
        ("requestss", "requests", (Trick.DOUBLED, "doubles 's'")),
        ("requestsx", "requests", None),
    ],
)
def test_single_edit_classifies_only_one_mistaken_edit(
    candidate: str, target: str, expected: tuple[Trick, str] | None
) -> None:
    assert single_edit(candidate, target) == expected


def test_keys_drop_case_and_separators() -> None:
    assert key("Python_Date.Util") == "pythondateutil"
    assert deletions("abb") == {"bb", "ab"}


def test_keyboard_neighbours_follow_a_staggered_layout() -> None:
    assert near_keys("s", "w") and near_keys("s", "e") and near_keys("s", "z") and near_keys("s", "x")
    assert near_keys("q", "1") and near_keys("1", "q")
    assert not near_keys("s", "r")
    assert not near_keys("-", "s")


def test_cores_remove_one_python_affix_and_keep_long_enough_ones() -> None:
    assert cores("python3-requests", 4) == {"requests"}
    assert cores("python-requests-py", 4) == {"requestspy", "pythonrequests"}
    assert cores("requests-py", 4) == {"requests"}
    assert cores("py-six", 4) == set()
    assert cores("pyrequests", 4) == set()
