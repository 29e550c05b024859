"""The list of popular package names that typosquat detection compares against.

Steward's own format, written by `steward db update` into the data directory:

    {"as_of": "2026-04-01", "source": "https://…", "names": [["boto3", 1880218825], …]}

`names` holds PEP 503 normalised names with their download counts, most downloaded first.

A release wheel carries a copy of the list beside this module (`BUNDLED`), fetched from the public
data set when the wheel is built (`make bundle-names`); the repository never holds one. The newer of
the bundled copy and the refreshed copy in the data directory is used. With neither,
`load_popular_names` returns None and the typosquat check reports itself as not checked.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from packaging.utils import NormalizedName

from pysteward.engine.model import normalize
from pysteward.engine.observer import NullObserver, Observer
from pysteward.errors import OperationalError

__all__ = [
    "BUNDLED",
    "FILE_NAME",
    "PopularNames",
    "PopularNamesError",
    "load_popular_names",
    "read_popular_names",
    "save_popular_names",
]

FILE_NAME = "popular-names.json"
BUNDLED = Path(__file__).with_name(FILE_NAME)
"""Where a release wheel carries its copy of the list; absent in a source checkout."""

_T = TypeVar("_T")


class PopularNamesError(OperationalError):
    """A popular-names list cannot be read, parsed or written."""


@dataclass(frozen=True, slots=True)
class PopularNames:
    """Popular package names with their download counts, most downloaded first, as of a date."""

    as_of: date
    source: str
    names: tuple[tuple[NormalizedName, int], ...]
    _cache: dict[object, Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    """Derived look-ups (ranks, detection indexes), built on first use; never part of the value."""

    @classmethod
    def from_counts(cls, counts: Iterable[tuple[str, int]], *, as_of: date, source: str) -> PopularNames:
        """Normalise names (keeping the highest count of names that normalise alike) and sort them."""
        best: dict[NormalizedName, int] = {}
        for name, downloads in counts:
            key = normalize(name)
            best[key] = max(downloads, best.get(key, downloads))
        ordered = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return cls(as_of=as_of, source=source, names=tuple(ordered))

    def __len__(self) -> int:
        return len(self.names)

    def derived(self, key: object, build: Callable[[], _T]) -> _T:
        """The look-up `build` makes from this list, built once per `key` and kept with the list."""
        if key not in self._cache:
            self._cache[key] = build()
        value: _T = self._cache[key]
        return value

    def _ranks(self) -> dict[str, tuple[int, int]]:
        return self.derived(
            "ranks", lambda: {name: (rank, count) for rank, (name, count) in enumerate(self.names, start=1)}
        )

    def rank(self, name: str) -> int | None:
        """The 1-based rank of `name` (any spelling), None when it is not in the list."""
        found = self._ranks().get(normalize(name))
        return None if found is None else found[0]

    def downloads(self, name: str) -> int:
        """The download count of `name` (any spelling); 0 when it is not in the list."""
        found = self._ranks().get(normalize(name))
        return 0 if found is None else found[1]

    def to_data(self) -> dict[str, Any]:
        """The list in Steward's JSON format."""
        return {
            "as_of": self.as_of.isoformat(),
            "source": self.source,
            "names": [[name, count] for name, count in self.names],
        }

    @classmethod
    def from_data(cls, data: Any, *, origin: str) -> PopularNames:
        """Parse Steward's JSON format; `origin` names the file in error messages."""
        if not isinstance(data, dict) or not isinstance(data.get("names"), list):
            raise PopularNamesError(f"{origin}: expected an object with a `names` list")
        try:
            as_of = date.fromisoformat(data.get("as_of"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise PopularNamesError(f"{origin}: as_of is not a date as YYYY-MM-DD") from None
        counts = []
        for index, row in enumerate(data["names"]):
            if not _is_row(row):
                raise PopularNamesError(f"{origin}: names[{index}]: expected [name, downloads]")
            counts.append((row[0], row[1]))
        return cls.from_counts(counts, as_of=as_of, source=str(data.get("source", "")))


def _is_row(row: object) -> bool:
    return (
        isinstance(row, list)
        and len(row) == 2
        and isinstance(row[0], str)
        and bool(row[0].strip())
        and isinstance(row[1], int)
        and not isinstance(row[1], bool)
        and row[1] >= 0
    )


def load_popular_names(
    data_dir: Path, *, observer: Observer | None = None, bundled: Path | None = None
) -> PopularNames | None:
    """The newer of the refreshed list in `data_dir` and the bundled one (`BUNDLED`); None without either.

    On equal dates the refreshed list wins. A list that cannot be read is reported to `observer` and
    treated as absent, so a damaged file never stops an assessment.
    """
    found = [
        popular
        for path in (data_dir / FILE_NAME, bundled or BUNDLED)
        if (popular := read_popular_names(path, observer=observer)) is not None
    ]
    return max(found, key=lambda popular: popular.as_of, default=None)


def read_popular_names(path: Path, *, observer: Observer | None = None) -> PopularNames | None:
    """The list in the file `path`; None when there is none or it cannot be read (reported to `observer`)."""
    if not path.is_file():
        return None
    try:
        return PopularNames.from_data(json.loads(path.read_text(encoding="utf-8")), origin=str(path))
    except (OSError, ValueError, PopularNamesError) as e:
        (observer or NullObserver()).warn(f"{path}: ignored: {e}")
        return None


def save_popular_names(popular: PopularNames, data_dir: Path) -> Path:
    """Write `popular` into `data_dir` atomically (a reader never sees half a file); its path."""
    path = data_dir / FILE_NAME
    text = json.dumps(popular.to_data(), separators=(",", ":")) + "\n"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=data_dir, prefix=f".{FILE_NAME}.", suffix=".part")
    except OSError as e:
        raise _unwritable(path, e) from e
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        tmp.replace(path)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _unwritable(path, e) from e
    return path


def _unwritable(path: Path, error: OSError) -> PopularNamesError:
    return PopularNamesError(
        f"{path}: cannot write the popular-names list: {error.strerror or error}",
        hint="check that the data directory is writable (STEWARD_DATA_DIR)",
    )
