"""Refreshing the popular-names list from the public top-packages data set (`steward db update`).

    OperationalError (pysteward.errors)
    ├── DownloadError (pysteward.engine.download)   the server could not be reached or said no
    └── PopularNamesError (names)                   a list cannot be read or written
        └── InvalidPopularNamesError                the download is not a top-packages file

The data set (https://hugovk.github.io/top-pypi-packages/, refreshed monthly from the public download
statistics) is an object with `last_update` (`2026-04-01 06:34:06`) and `rows` of
`{"project": name, "download_count": n}`. The raw download is kept beside the converted list so the
next refresh is a conditional request; a download that fails validation is deleted with its
validators, and the list already in the data directory is kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pysteward.engine.download import download
from pysteward.engine.observer import Observer
from pysteward.engine.typosquat.names import (
    BUNDLED,
    FILE_NAME,
    PopularNames,
    PopularNamesError,
    read_popular_names,
    save_popular_names,
)

__all__ = [
    "DEFAULT_URL",
    "URL_ENV",
    "InvalidPopularNamesError",
    "PopularNamesUpdate",
    "bundle_popular_names",
    "parse_top_packages",
    "popular_names_url",
    "update_popular_names",
]

DEFAULT_URL = "https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json"
URL_ENV = "STEWARD_POPULAR_URL"
RAW_NAME = "top-packages.download.json"
"""The download as served, kept for its ETag; the converted list is `names.FILE_NAME`."""


class InvalidPopularNamesError(PopularNamesError):
    """The downloaded file is not a top-packages list; the previous list was kept."""


@dataclass(frozen=True, slots=True)
class PopularNamesUpdate:
    """What a refresh did: `changed` is False when the server said the file is unchanged."""

    path: Path
    changed: bool
    as_of: date
    names: int

    def describe(self) -> str:
        """One line for the user: what the list holds now and whether this refresh changed it."""
        state = "updated" if self.changed else "unchanged"
        return f"popular package names: {self.names} as of {self.as_of.isoformat()} ({state})"


def popular_names_url() -> str:
    """The URL to refresh from: `STEWARD_POPULAR_URL`, else the public data set."""
    return os.environ.get(URL_ENV) or DEFAULT_URL


def update_popular_names(
    data_dir: Path, url: str | None = None, observer: Observer | None = None
) -> PopularNamesUpdate:
    """Download the top-packages list into `data_dir` and store it in Steward's format.

    Raises `DownloadError` when the download fails and `InvalidPopularNamesError` when the file is
    not a top-packages list; in both cases the list already in `data_dir` is kept.
    """
    url = url or popular_names_url()
    raw = data_dir / RAW_NAME
    result = download(url, raw, observer=observer, task="popular package names")
    if not result.changed:
        current = read_popular_names(data_dir / FILE_NAME, observer=observer)
        if current is not None:
            return PopularNamesUpdate(data_dir / FILE_NAME, False, current.as_of, len(current))
    try:
        popular = parse_top_packages(raw.read_bytes(), source=url)
    except InvalidPopularNamesError:
        # Forget the bad file and its ETag, so the next refresh downloads again.
        for path in (raw, raw.with_name(raw.name + ".http.json")):
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    path = save_popular_names(popular, data_dir)
    return PopularNamesUpdate(path, True, popular.as_of, len(popular))


def bundle_popular_names(
    target: Path = BUNDLED, url: str | None = None, observer: Observer | None = None
) -> PopularNamesUpdate:
    """Download the list and write it to `target`, the copy a release wheel carries (`make dist`)."""
    with tempfile.TemporaryDirectory(prefix="steward-names-") as work:
        update = update_popular_names(Path(work), url, observer)
        shutil.copyfile(update.path, target)
    return replace(update, path=target)


def parse_top_packages(body: bytes, *, source: str) -> PopularNames:
    """A `PopularNames` from the bytes of a top-packages file; `InvalidPopularNamesError` if it is not one."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _invalid(source, f"invalid JSON: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list) or not data["rows"]:
        raise _invalid(source, "expected an object with a non-empty `rows` list")
    as_of = _as_of(data.get("last_update"))
    if as_of is None:
        raise _invalid(source, f"last_update {data.get('last_update')!r} is not a date")
    counts = []
    for index, row in enumerate(data["rows"]):
        count = _row(row)
        if count is None:
            raise _invalid(source, f"rows[{index}]: expected project and a download_count of 0 or more")
        counts.append(count)
    return PopularNames.from_counts(counts, as_of=as_of, source=source)


def _invalid(source: str, problem: str) -> InvalidPopularNamesError:
    return InvalidPopularNamesError(f"{source}: not a top-packages list: {problem}")


def _as_of(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        # `2026-04-01 06:34:06`; a bare date is accepted too.
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        return None


def _row(row: Any) -> tuple[str, int] | None:
    if not isinstance(row, dict):
        return None
    name, count = row.get("project"), row.get("download_count")
    if not isinstance(name, str) or not name.strip():
        return None
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return None
    return name, count
