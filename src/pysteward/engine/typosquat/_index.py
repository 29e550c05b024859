"""Look-ups over the most popular names, so a candidate is compared with a handful of them, not all.

Symmetric delete (the SymSpell idea): two keys are within one edit of each other only if they are
equal, one is a deletion of the other, or they share a deletion. So each popular key is stored under
itself and under each of its one-character deletions; a candidate looks up its key and its own
deletions, and only the names found there are classified exactly. For affix games the candidate's
cores (its key without a `python`/`py` prefix or suffix) are looked up as keys.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pysteward.engine.typosquat._edits import cores, deletions, key

__all__ = ["NameIndex"]


@dataclass(frozen=True, slots=True)
class NameIndex:
    """Positions (0-based ranks) of the top names, keyed for near matches."""

    keys: tuple[str, ...]
    by_key: dict[str, tuple[int, ...]]
    by_deletion: dict[str, tuple[int, ...]]

    @classmethod
    def build(cls, names: tuple[str, ...]) -> NameIndex:
        """Index `names` (normalised, most popular first)."""
        keys = tuple(map(key, names))
        by_key: defaultdict[str, list[int]] = defaultdict(list)
        by_deletion: defaultdict[str, list[int]] = defaultdict(list)
        for position, name_key in enumerate(keys):
            by_key[name_key].append(position)
            for deleted in deletions(name_key):
                by_deletion[deleted].append(position)
        return cls(keys, _freeze(by_key), _freeze(by_deletion))

    def near(self, name: str, min_core: int) -> list[int]:
        """Positions of every indexed name that may be one edit or one affix away from `name`, sorted."""
        name_key = key(name)
        found: set[int] = set(self.by_key.get(name_key, ()))
        found.update(self.by_deletion.get(name_key, ()))
        for deleted in deletions(name_key):
            found.update(self.by_key.get(deleted, ()))
            found.update(self.by_deletion.get(deleted, ()))
        for core in cores(name, min_core):
            found.update(self.by_key.get(core, ()))
        return sorted(found)


def _freeze(table: defaultdict[str, list[int]]) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v) for k, v in table.items()}
