"""An in-memory `AdvisorySource`: the fake tests and demos use instead of the database (STYLE 10)."""

from __future__ import annotations

from collections.abc import Iterable

from packaging.utils import NormalizedName

from pysteward.engine.advisories.interface import AdvisorySource
from pysteward.engine.advisories.osv import Advisory

__all__ = ["MemoryAdvisories"]


class MemoryAdvisories(AdvisorySource):
    """Advisories held in a list; withdrawn ones are left out, as the database does."""

    def __init__(self, advisories: Iterable[Advisory]):
        self._by_name: dict[NormalizedName, list[Advisory]] = {}
        for advisory in sorted(advisories, key=lambda a: a.id):
            if advisory.withdrawn is None:
                for name in advisory.packages():
                    self._by_name.setdefault(name, []).append(advisory)

    def advisories_for(self, names: Iterable[NormalizedName]) -> dict[NormalizedName, list[Advisory]]:
        """The advisories of each of `names` that has any."""
        return {n: list(self._by_name[n]) for n in set(names) if n in self._by_name}
