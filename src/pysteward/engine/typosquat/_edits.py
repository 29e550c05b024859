"""The name tricks a typosquat plays, as pure string functions (no popularity here).

Names are compared by their *key*: the PEP 503 name with its separators removed, so `python-dateutil`,
`python_dateutil` and `pythondateutil` share one key. Two keys one edit apart are classified by
`single_edit`; the `python-`/`py` games by `cores`.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["Trick", "cores", "deletions", "key", "single_edit"]

_SEPARATORS = re.compile(r"[-_.]+")

_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")

# Characters that look alike in common fonts; `rn`/`m` and `vv`/`w` span two characters and are left
# out, as a one-character substitution cannot express them.
_LOOKALIKES = ("0o", "1l", "1i", "il", "5s", "2z", "8b", "9g", "gq", "uv")

# Longest first: only the longest matching prefix (suffix) is removed, so `python3-x` gives `x`. A bare
# `py` is left out: `pyX` is how bindings of X are named (pygraphviz, pytorch), so it says nothing.
_PREFIXES = ("python3-", "python-", "py3-", "py-", "python3", "python")
_SUFFIXES = ("-python3", "-python", "-py3", "-py", "python3", "python")


class Trick(StrEnum):
    """How a name imitates a popular one."""

    SWAPPED = "swapped letters"
    DOUBLED = "doubled letter"
    DROPPED = "dropped letter"
    ADDED = "added letter"
    LOOKALIKE = "look-alike character"
    NEAR_KEY = "neighbouring key"
    SEPARATOR = "separators"
    AFFIX = "python/py prefix or suffix"


def _keyboard_neighbours() -> dict[str, frozenset[str]]:
    # A staggered QWERTY layout: a key touches its row neighbours, the two keys above it at the same
    # and the next column, and the two below at the previous and the same column.
    neighbours: dict[str, set[str]] = {}
    for row, keys in enumerate(_KEYBOARD_ROWS):
        for col, char in enumerate(keys):
            near = neighbours.setdefault(char, set())
            spots = [(row, col - 1), (row, col + 1), (row - 1, col), (row - 1, col + 1)]
            spots += [(row + 1, col - 1), (row + 1, col)]
            for r, c in spots:
                if 0 <= r < len(_KEYBOARD_ROWS) and 0 <= c < len(_KEYBOARD_ROWS[r]):
                    near.add(_KEYBOARD_ROWS[r][c])
    return {char: frozenset(near) for char, near in neighbours.items()}


_NEAR_KEYS = _keyboard_neighbours()
_LOOKS_ALIKE = frozenset(pair for pair in _LOOKALIKES) | frozenset(pair[::-1] for pair in _LOOKALIKES)


def key(name: str) -> str:
    """The name lower-cased without separators: the spelling a reader's eye compares."""
    return _SEPARATORS.sub("", name.lower())


def deletions(word: str) -> set[str]:
    """Every string made by deleting one character of `word` (the symmetric-delete neighbourhood)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def cores(name: str, min_length: int) -> set[str]:
    """Keys of `name` with one `python`/`py` prefix or suffix removed, each at least `min_length` long.

    `py-requests`, `python3-requests`, `requests-python` and `requestspython` all have the core
    `requests`; `pyrequests` has none (see `_PREFIXES`).
    """
    name = _SEPARATORS.sub("-", name.lower())
    prefix = next((p for p in _PREFIXES if name.startswith(p)), None)
    suffix = next((s for s in _SUFFIXES if name.endswith(s)), None)
    found = set()
    if prefix is not None:
        found.add(key(name[len(prefix) :]))
    if suffix is not None:
        found.add(key(name[: -len(suffix)]))
    return {k for k in found if len(k) >= min_length}


def near_keys(a: str, b: str) -> bool:
    """Whether `a` and `b` are neighbouring keys on a QWERTY keyboard."""
    return b in _NEAR_KEYS.get(a, frozenset())


def single_edit(candidate: str, target: str) -> tuple[Trick, str] | None:
    """The one edit that turns key `target` into key `candidate`, with a detail; None when it is not one.

    Only edits people make by mistake count, which keeps honest look-alike names out:
    - never at the first character: people rarely mistype it, and names differing there are usually
      other words (`unicorn`/`gunicorn`, `asgiref`/`wsgiref`);
    - a substitution only by a look-alike character or a neighbouring key, and never one digit for
      another (`cu11`/`cu12` are versions, not typos);
    - an added character only when it doubles its neighbour, or is a plural `s` at the end; other
      additions (`gitdb2`, `torchx`) are how forks and companions are named.
    """
    index = _first_difference(candidate, target)
    if index == 0:
        return None
    if len(candidate) == len(target):
        return _same_length(candidate, target, index)
    if len(candidate) == len(target) + 1:
        return _added(candidate, target, index)
    if len(candidate) + 1 == len(target) and candidate[index:] == target[index + 1 :]:
        return Trick.DROPPED, f"drops {target[index]!r}"
    return None


def _first_difference(a: str, b: str) -> int:
    index = 0
    while index < min(len(a), len(b)) and a[index] == b[index]:
        index += 1
    return index


def _same_length(candidate: str, target: str, index: int) -> tuple[Trick, str] | None:
    if index == len(candidate):
        return None
    was, now = target[index], candidate[index]
    if candidate[index + 1 :] == target[index + 1 :]:
        if was + now in _LOOKS_ALIKE:
            return Trick.LOOKALIKE, f"{now!r} for {was!r}"
        if near_keys(was, now) and not (was.isdigit() and now.isdigit()):
            return Trick.NEAR_KEY, f"{now!r} for {was!r}"
        return None
    swapped = candidate[index : index + 2] == target[index : index + 2][::-1]
    if swapped and candidate[index + 2 :] == target[index + 2 :]:
        return Trick.SWAPPED, f"{candidate[index : index + 2]!r} for {target[index : index + 2]!r}"
    return None


def _added(candidate: str, target: str, index: int) -> tuple[Trick, str] | None:
    if candidate[index + 1 :] != target[index:]:
        return None
    extra = candidate[index]
    if extra in (candidate[index - 1], candidate[index + 1 : index + 2]):
        return Trick.DOUBLED, f"doubles {extra!r}"
    if index == len(target) and extra == "s":
        return Trick.ADDED, "adds a plural 's'"
    return None
