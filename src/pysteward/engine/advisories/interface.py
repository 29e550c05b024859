"""Errors of the advisory database, and the interface assessment reads advisories through.

    OperationalError (pysteward.errors)
    └── AdvisoryError              the advisory database cannot be used or updated
        ├── DatabaseMissingError   no database yet (or one from an older Steward): hint names the fix
        └── SourceError            an import source cannot be read (missing path, corrupt zip, no records)

    DownloadError (pysteward.engine.download) is raised as is when the OSV export cannot be fetched.

An `AdvisorySource` needs one method, `advisories_for`; matching many pins at once goes through
`package_indexes`, whose default builds (and caches) one index per package from it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from packaging.utils import NormalizedName

from pysteward.engine.advisories.matching import PackageIndex
from pysteward.engine.advisories.osv import Advisory
from pysteward.errors import OperationalError

__all__ = ["AdvisoryError", "AdvisorySource", "DatabaseMissingError", "SourceError"]

UPDATE_HINT = "run `steward db update` (or `steward db import FILE` offline)"


_EMPTY = PackageIndex(NormalizedName(""), [])


class AdvisoryError(OperationalError):
    """Base of every advisory database failure."""


class DatabaseMissingError(AdvisoryError):
    """There is no usable advisory database at the expected path."""

    def __init__(self, message: str, *, hint: str | None = UPDATE_HINT):
        super().__init__(message, hint=hint)


class SourceError(AdvisoryError):
    """An import source cannot be read; nothing stored before was changed."""


class AdvisorySource(ABC):
    """Where assessment gets advisories from: the embedded database, or a fake in tests."""

    _index_cache: dict[NormalizedName, PackageIndex]

    @abstractmethod
    def advisories_for(self, names: Iterable[NormalizedName]) -> dict[NormalizedName, list[Advisory]]:
        """The advisories (withdrawn ones excluded) of each of `names` that has any."""

    def package_indexes(self, names: Iterable[NormalizedName]) -> dict[NormalizedName, PackageIndex]:
        """A matching index for each of `names` that has advisories; built once per package."""
        names = set(names)
        cache = getattr(self, "_index_cache", None)
        if cache is None:
            cache = self._index_cache = {}
        missing = {n for n in names if n not in cache}
        if missing:
            loaded = self.advisories_for(missing)
            for name in missing:
                cache[name] = PackageIndex(name, loaded[name]) if name in loaded else _EMPTY
        return {n: cache[n] for n in names if cache[n] is not _EMPTY}
