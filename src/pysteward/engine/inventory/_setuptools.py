"""Rules setuptools applies to `install_requires` and `extras_require`, shared by setup.cfg and setup.py."""

from __future__ import annotations

import re

from packaging.markers import Marker
from packaging.requirements import Requirement

__all__ = ["extra_scope", "requirement_lines", "with_marker", "yield_lines"]

_MARKER_START = re.compile(r"\s*(python_|sys_platform|platform_|os_name|implementation_|extra\b)")


def requirement_lines(value: str) -> list[str]:
    """The requirements in one value, as setuptools splits them.

    A multi-line value has one requirement per line; a single line is split at `;`. A piece that
    starts with a marker variable is the marker of the previous piece (setuptools would split
    `foo; python_version < "3.8"` in two and warn; the author plainly meant one requirement).
    """
    if "\n" in value.strip():
        return [line for _, line in yield_lines(value)]
    joined: list[str] = []
    for piece in value.split(";"):
        if joined and _MARKER_START.match(piece):
            joined[-1] = f"{joined[-1]};{piece}"
        elif piece.strip():
            joined.append(piece.strip())
    return joined


def yield_lines(value: str) -> list[tuple[int, str]]:
    """(0-based line index, requirement) for each non-empty, non-comment line of `value`."""
    pieces = [(index, line.split(" #", 1)[0].strip()) for index, line in enumerate(value.splitlines())]
    return [(index, piece) for index, piece in pieces if piece and not piece.startswith("#")]


def extra_scope(key: str) -> tuple[str, str | None]:
    """An `extras_require` key split into the extra's name and its marker (`test:python_version<"3.8"`)."""
    name, _, marker = key.partition(":")
    return name.strip(), marker.strip() or None


def with_marker(requirement: Requirement, marker: str | None) -> Requirement:
    """`requirement` with `marker` (from an `extra:marker` key) added to its own marker."""
    if marker is None:
        return requirement
    combined = f"({requirement.marker}) and ({marker})" if requirement.marker else marker
    requirement.marker = Marker(combined)
    return requirement
