"""Environment markers evaluated against the (Python, platform) targets of a project."""

from __future__ import annotations

import pytest
from packaging.markers import Marker

from pysteward.engine.markers import applicable_targets, targets_for
from pysteward.engine.model import Platform, Target

TARGETS = targets_for(["3.12", "3.11"], [Platform.WINDOWS, Platform.LINUX])


def test_targets_are_every_python_and_platform_pair_sorted() -> None:
    expected = (
        Target("3.11", Platform.LINUX),
        Target("3.11", Platform.WINDOWS),
        Target("3.12", Platform.LINUX),
        Target("3.12", Platform.WINDOWS),
    )
    assert targets_for(["3.12", "3.11"], [Platform.WINDOWS, Platform.LINUX]) == expected
    assert targets_for([], list(Platform)) == ()


def test_no_marker_applies_everywhere() -> None:
    assert applicable_targets(None, TARGETS) == TARGETS


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ('sys_platform == "win32"', [("3.11", "windows"), ("3.12", "windows")]),
        ('python_version >= "3.12" and os_name == "posix"', [("3.12", "linux")]),
        ('python_version < "3"', []),
        ('platform_machine == "x86_64"', [("3.11", "linux"), ("3.12", "linux")]),
    ],
)
def test_a_marker_selects_the_targets_it_holds_on(marker: str, expected: list[tuple[str, str]]) -> None:
    found = applicable_targets(Marker(marker), TARGETS)
    assert [(t.python, t.platform.value) for t in found] == expected


def test_an_extra_marker_holds_when_one_of_the_dependencys_extras_satisfies_it() -> None:
    marker = Marker('extra == "socks"')
    assert applicable_targets(marker, TARGETS) == ()
    assert applicable_targets(marker, TARGETS, ("http2", "socks")) == TARGETS
    assert applicable_targets(marker, TARGETS, ("http2",)) == ()


@pytest.mark.parametrize("marker", ['platform_release ~= "not-a-version"', '"x" in extras'])
def test_a_marker_packaging_cannot_decide_keeps_the_dependency(marker: str) -> None:
    assert applicable_targets(Marker(marker), TARGETS) == TARGETS
