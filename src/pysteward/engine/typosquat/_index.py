"""Near-name look-ups between a project's (few) names and the most popular ones, built per check.

Symmetric delete (the SymSpell idea): two keys are within one edit of each other only if they are
equal, one is a deletion of the other, or they share a deletion. The candidates, a few hundred names,
are stored under their key, their one-character deletions and their cores (the key without a
`python`/`py` prefix or suffix); each popular key and its deletions are then looked up in that small
table. Building the table over the thousands of popular names instead cost far more than a check.

Only a superset of the real matches is needed, as every pair found is classified exactly afterwards.
So a popular key's deletions are made only when its length and first letter fit some candidate (no
accepted edit touches the first letter, so it is not deleted either); its key is always looked up,
which finds equal keys, candidates' deletions and cores.
"""

from __future__ import annotations

from collections.abc import Sequence

from pysteward.engine.typosquat._edits import cores, deletions, key

__all__ = ["near_targets"]


def near_targets(names: Sequence[str], targets: Sequence[str], min_core: int) -> list[list[int]]:
    """For each of `names`, the sorted positions of the `targets` (normalised) one edit or affix away."""
    table: dict[str, set[int]] = {}
    shapes: set[tuple[int, str]] = set()
    for index, name in enumerate(names):
        name_key = key(name)
        for near in (name_key, *deletions(name_key), *cores(name, min_core)):
            table.setdefault(near, set()).add(index)
        shapes.update((length, name_key[:1]) for length in range(len(name_key) - 1, len(name_key) + 2))
    found: list[set[int]] = [set() for _ in names]
    for position, target in enumerate(targets):
        # Normalised names only hold `-` separators, so this is their key, without a regex.
        target_key = target.replace("-", "")
        candidates = {target_key}
        if (len(target_key), target_key[:1]) in shapes:
            candidates.update(target_key[:i] + target_key[i + 1 :] for i in range(1, len(target_key)))
        for hit in filter(None, map(table.get, candidates)):
            for index in hit:
                found[index].add(position)
    return [sorted(positions) for positions in found]
