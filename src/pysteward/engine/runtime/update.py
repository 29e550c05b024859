"""Refreshing the release-cycle table from the published JSON (`steward db update`).

    OperationalError (pysteward.errors)
    ├── DownloadError (pysteward.engine.download)   the server could not be reached or said no
    └── ReleaseCycleError (cycle)
        └── InvalidReleaseCycleError                 the download is not a release-cycle table

The published file (https://peps.python.org/api/release-cycle.json, generated from the release PEPs)
is an object keyed by minor version with `status`, `first_release` and `end_of_life`; `end_of_life` is
a month (`2029-10`) for supported versions. It lacks the bugfix and feature-freeze dates, so those are
kept from the shipped table. The raw download is kept beside the converted table so conditional
requests work; a download that fails validation is deleted, and the converted table is untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from pysteward.engine.download import download
from pysteward.engine.observer import Observer
from pysteward.engine.runtime.cycle import (
    TABLE_NAME,
    CycleEntry,
    ReleaseCycle,
    ReleaseCycleError,
    ReleaseStatus,
    minor_of,
)

__all__ = [
    "DEFAULT_URL",
    "URL_ENV",
    "InvalidReleaseCycleError",
    "ReleaseCycleUpdate",
    "release_cycle_url",
    "update_release_cycle",
]

DEFAULT_URL = "https://peps.python.org/api/release-cycle.json"
URL_ENV = "STEWARD_RELEASE_CYCLE_URL"
RAW_NAME = "cpython-release-cycle.download.json"
"""The download as served, kept for its ETag; the converted table is `TABLE_NAME`."""

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_STATUSES = frozenset(s.value for s in ReleaseStatus) - {ReleaseStatus.UNKNOWN.value}


class InvalidReleaseCycleError(ReleaseCycleError):
    """The downloaded file is not a release-cycle table; the previous table was kept."""


@dataclass(frozen=True, slots=True)
class ReleaseCycleUpdate:
    """What a refresh did: `changed` is False when the server said the file is unchanged."""

    path: Path
    changed: bool
    as_of: date
    versions: int

    def describe(self) -> str:
        """One line for the user: what the table holds now and whether this refresh changed it."""
        state = "updated" if self.changed else "unchanged"
        return f"CPython release cycle: {self.versions} versions as of {self.as_of.isoformat()} ({state})"


def release_cycle_url() -> str:
    """The URL to refresh from: `STEWARD_RELEASE_CYCLE_URL`, else the published file."""
    return os.environ.get(URL_ENV) or DEFAULT_URL


def update_release_cycle(
    data_dir: Path,
    url: str | None = None,
    observer: Observer | None = None,
    *,
    today: date | None = None,
) -> ReleaseCycleUpdate:
    """Download the published table into `data_dir` and store it converted to Steward's format.

    Raises `DownloadError` when the download fails and `InvalidReleaseCycleError` when the file is not
    a release-cycle table; in both cases the table already in `data_dir` is kept.
    """
    url = url or release_cycle_url()
    raw = data_dir / RAW_NAME
    table = data_dir / TABLE_NAME
    result = download(url, raw, observer=observer, task="CPython release cycle")
    if not result.changed and table.is_file():
        current = ReleaseCycle.load(data_dir, observer=observer)
        return ReleaseCycleUpdate(table, False, current.as_of, len(current.entries))
    try:
        published = _validate(raw.read_bytes(), url)
    except InvalidReleaseCycleError:
        # Forget the bad file and its ETag, so the next refresh downloads again.
        for path in (raw, raw.with_name(raw.name + ".http.json")):
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    cycle = convert(published, ReleaseCycle.load(), as_of=today or date.today(), source=url)
    try:
        _write_atomically(table, json.dumps(cycle.to_data(), indent=2) + "\n")
    except OSError as e:
        raise ReleaseCycleError(
            f"{table}: cannot write the release-cycle table: {e.strerror or e}",
            hint="check that the data directory is writable (STEWARD_DATA_DIR)",
        ) from e
    return ReleaseCycleUpdate(table, True, cycle.as_of, len(cycle.entries))


def convert(
    published: dict[str, dict[str, Any]], shipped: ReleaseCycle, *, as_of: date, source: str
) -> ReleaseCycle:
    """Steward's table from a validated published one, keeping the shipped table's extra dates."""
    entries: dict[str, CycleEntry] = {}
    for key, record in published.items():
        end_of_life, approximate = _end_of_life(record["end_of_life"])
        entry = CycleEntry(
            version=key,
            first_release=date.fromisoformat(record["first_release"]),
            end_of_life=end_of_life,
            approximate=approximate,
            published_status=ReleaseStatus(record["status"]),
        )
        entries[key] = _enrich(entry, shipped.entries.get(key), record.get("pep"))
    return ReleaseCycle(as_of=as_of, source=source, entries=entries)


def _enrich(entry: CycleEntry, known: CycleEntry | None, pep: object) -> CycleEntry:
    pep_number = pep if isinstance(pep, int) and not isinstance(pep, bool) else None
    if known is None:
        return replace(entry, pep=pep_number)
    return replace(
        entry,
        pep=pep_number if pep_number is not None else known.pep,
        feature_freeze=known.feature_freeze,
        end_of_bugfix=known.end_of_bugfix,
    )


def _end_of_life(text: str) -> tuple[date, bool]:
    if _MONTH.match(text):
        # A month only: count from its first day, the conservative choice (see cycle.py).
        return date.fromisoformat(text + "-01"), True
    return date.fromisoformat(text), False


def _validate(body: bytes, url: str) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        raise InvalidReleaseCycleError(f"{url}: not a release-cycle table: invalid JSON: {e}") from None
    if not isinstance(data, dict) or not data:
        raise InvalidReleaseCycleError(
            f"{url}: not a release-cycle table: expected a non-empty object keyed by version"
        )
    for key, record in data.items():
        problem = _record_problem(key, record)
        if problem is not None:
            raise InvalidReleaseCycleError(f"{url}: not a release-cycle table: {key}: {problem}")
    return data


def _record_problem(key: str, record: object) -> str | None:
    if minor_of(key) != key:
        return "the key is not a minor version such as 3.12"
    if not isinstance(record, dict):
        return "expected an object"
    if record.get("status") not in _STATUSES:
        return f"unknown status {record.get('status')!r}"
    return _dates_problem(record)


def _dates_problem(record: dict[str, Any]) -> str | None:
    first = record.get("first_release")
    if not isinstance(first, str) or not _DAY.match(first) or not _is_date(first):
        return f"first_release {first!r} is not a date as YYYY-MM-DD"
    eol = record.get("end_of_life")
    if not isinstance(eol, str) or not (_DAY.match(eol) or _MONTH.match(eol)):
        return f"end_of_life {eol!r} is not a date as YYYY-MM-DD or YYYY-MM"
    if not _is_date(eol if _DAY.match(eol) else eol + "-01"):
        return f"end_of_life {eol!r} is not a valid date"
    return None


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
