"""The CPython release cycle: when each minor version was released and when it reaches end of life.

    OperationalError (pysteward.errors)
    └── ReleaseCycleError        a release-cycle table (shipped, refreshed or downloaded) is unusable

The table ships inside the package (`data/cpython-release-cycle.json`, with its `as_of` date) so the
answer works offline; `steward db update` can store a refreshed copy in the data directory, which wins
when it is at least as new. Where a release PEP gives only a month ("2029-10"), the table stores the
first day of that month and marks the entry `approximate`: counting end of life from the 1st is the
conservative choice, a project is never told it has more time than it does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from pysteward.engine.observer import NullObserver, Observer
from pysteward.errors import OperationalError

__all__ = [
    "CycleEntry",
    "ReleaseCycle",
    "ReleaseCycleError",
    "ReleaseStatus",
    "RuntimeStatus",
    "minor_of",
]

TABLE_NAME = "cpython-release-cycle.json"
"""File name of the table, both in the package and in the data directory."""

_MINOR = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)*$")


class ReleaseCycleError(OperationalError):
    """A release-cycle table could not be read or has the wrong shape."""


class ReleaseStatus(StrEnum):
    """The phases of a CPython minor version, as the release PEPs and the devguide name them."""

    FEATURE = "feature"
    PRERELEASE = "prerelease"
    BUGFIX = "bugfix"
    SECURITY = "security"
    END_OF_LIFE = "end-of-life"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleEntry:
    """One minor version's schedule; optional dates are those a refreshed table may lack."""

    version: str
    first_release: date
    end_of_life: date
    pep: int | None = None
    feature_freeze: date | None = None
    """The date of beta 1: from then until the first release the version is a prerelease."""
    end_of_bugfix: date | None = None
    approximate: bool = False
    """True when the PEP gives only a month for end of life (stored as the 1st of that month)."""
    published_status: ReleaseStatus | None = None
    """The status a downloaded table stated, used only where a date to compute it is missing."""

    def status_on(self, on: date) -> ReleaseStatus:
        """The phase on day `on`, computed from the dates; the published status fills gaps."""
        if on >= self.end_of_life:
            return ReleaseStatus.END_OF_LIFE
        if on >= self.first_release:
            return self._released_status(on)
        if self.feature_freeze is not None:
            return ReleaseStatus.PRERELEASE if on >= self.feature_freeze else ReleaseStatus.FEATURE
        if self.published_status is ReleaseStatus.PRERELEASE:
            return ReleaseStatus.PRERELEASE
        return ReleaseStatus.FEATURE

    def _released_status(self, on: date) -> ReleaseStatus:
        if self.end_of_bugfix is not None:
            return ReleaseStatus.BUGFIX if on < self.end_of_bugfix else ReleaseStatus.SECURITY
        if self.published_status is ReleaseStatus.SECURITY:
            return ReleaseStatus.SECURITY
        return ReleaseStatus.BUGFIX


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeStatus:
    """Where one Python version stands on a given day; `status` is UNKNOWN for versions not in the table."""

    version: str
    """The minor version asked about (`3.12` for `3.12.1`), or the text as given when it is not one."""
    on: date
    status: ReleaseStatus
    first_release: date | None = None
    end_of_bugfix: date | None = None
    end_of_life: date | None = None
    approximate: bool = False
    days_left: int | None = None
    """Days until end of life; zero on the day itself and negative after it."""
    pep: int | None = None

    @property
    def unknown(self) -> bool:
        """True when the table does not know the version (such as `3.99` or `4.0`)."""
        return self.status is ReleaseStatus.UNKNOWN

    @property
    def end_of_life_reached(self) -> bool:
        """True when the version no longer receives security fixes on `on`."""
        return self.status is ReleaseStatus.END_OF_LIFE


def minor_of(version: str) -> str | None:
    """`3.12` for `3.12`, `3.12.1` or `3.12.0.1`; None when the text is not a dotted version."""
    match = _MINOR.match(version.strip())
    if match is None:
        return None
    return f"{int(match.group(1))}.{int(match.group(2))}"


@dataclass(frozen=True, slots=True)
class ReleaseCycle:
    """The release-cycle table: an entry per minor version, and the date the facts were current."""

    as_of: date
    source: str
    entries: dict[str, CycleEntry]

    @classmethod
    def load(cls, data_dir: Path | None = None, *, observer: Observer | None = None) -> ReleaseCycle:
        """The shipped table, or the refreshed copy in `data_dir` when there is one at least as new.

        `None` means the shipped table only. A refreshed copy that cannot be read is reported to
        `observer` and ignored, so a damaged file never stops an assessment.
        """
        shipped = cls.from_json(_shipped_text(), origin="the shipped release-cycle table")
        if data_dir is None:
            return shipped
        path = data_dir / TABLE_NAME
        if not path.is_file():
            return shipped
        try:
            refreshed = cls.from_json(path.read_text(encoding="utf-8"), origin=str(path))
        except (OSError, UnicodeDecodeError, ReleaseCycleError) as e:
            (observer or NullObserver()).warn(f"{path}: ignored, using the shipped table: {e}")
            return shipped
        return refreshed if refreshed.as_of >= shipped.as_of else shipped

    @classmethod
    def from_json(cls, text: str, *, origin: str) -> ReleaseCycle:
        """Parse a table in Steward's own format; `origin` names it in error messages."""
        try:
            data = json.loads(text)
        except ValueError as e:
            raise ReleaseCycleError(f"{origin}: invalid JSON: {e}") from None
        return cls.from_data(data, origin=origin)

    @classmethod
    def from_data(cls, data: Any, *, origin: str) -> ReleaseCycle:
        """Build a table from decoded JSON in Steward's own format."""
        if not isinstance(data, dict) or not isinstance(data.get("versions"), dict):
            raise ReleaseCycleError(f"{origin}: expected an object with a `versions` object")
        as_of = _date(data.get("as_of"), f"{origin}: as_of")
        entries = {
            key: _entry(key, value, f"{origin}: versions.{key}") for key, value in data["versions"].items()
        }
        if not entries:
            raise ReleaseCycleError(f"{origin}: the table lists no versions")
        return cls(as_of=as_of, source=str(data.get("source", "")), entries=entries)

    def to_data(self) -> dict[str, Any]:
        """The table as JSON-ready data in Steward's own format (the inverse of `from_data`)."""
        return {
            "format": 1,
            "as_of": self.as_of.isoformat(),
            "source": self.source,
            "versions": {key: _entry_data(entry) for key, entry in self.entries.items()},
        }

    @property
    def versions(self) -> tuple[str, ...]:
        """Every minor version in the table, oldest first."""
        return tuple(sorted(self.entries, key=lambda v: tuple(int(p) for p in v.split("."))))

    def get(self, version: str) -> CycleEntry | None:
        """The entry for the minor version of `version` (`3.12.1` finds `3.12`), if the table has it."""
        minor = minor_of(version)
        return None if minor is None else self.entries.get(minor)

    def status(self, version: str, on: date) -> RuntimeStatus:
        """Where `version` stands on day `on`; an unknown version gives status UNKNOWN, never an error."""
        entry = self.get(version)
        if entry is None:
            return RuntimeStatus(version=minor_of(version) or version, on=on, status=ReleaseStatus.UNKNOWN)
        return RuntimeStatus(
            version=entry.version,
            on=on,
            status=entry.status_on(on),
            first_release=entry.first_release,
            end_of_bugfix=entry.end_of_bugfix,
            end_of_life=entry.end_of_life,
            approximate=entry.approximate,
            days_left=(entry.end_of_life - on).days,
            pep=entry.pep,
        )


def _shipped_text() -> str:
    return resources.files("pysteward.engine.runtime").joinpath("data", TABLE_NAME).read_text("utf-8")


def _date(value: object, where: str) -> date:
    if not isinstance(value, str):
        raise ReleaseCycleError(f"{where}: expected a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReleaseCycleError(f"{where}: {value!r} is not a date as YYYY-MM-DD") from None


def _optional_date(value: object, where: str) -> date | None:
    return None if value is None else _date(value, where)


def _entry(key: object, value: object, where: str) -> CycleEntry:
    if not isinstance(key, str) or minor_of(key) != key:
        raise ReleaseCycleError(f"{where}: the key is not a minor version such as 3.12")
    if not isinstance(value, dict):
        raise ReleaseCycleError(f"{where}: expected an object")
    pep = value.get("pep")
    status = value.get("status")
    if status is not None and status not in set(ReleaseStatus) - {ReleaseStatus.UNKNOWN}:
        raise ReleaseCycleError(f"{where}.status: unknown status {status!r}")
    return CycleEntry(
        version=key,
        first_release=_date(value.get("first_release"), f"{where}.first_release"),
        end_of_life=_date(value.get("end_of_life"), f"{where}.end_of_life"),
        pep=pep if isinstance(pep, int) and not isinstance(pep, bool) else None,
        feature_freeze=_optional_date(value.get("feature_freeze"), f"{where}.feature_freeze"),
        end_of_bugfix=_optional_date(value.get("end_of_bugfix"), f"{where}.end_of_bugfix"),
        approximate=value.get("approximate") is True,
        published_status=None if status is None else ReleaseStatus(status),
    )


def _entry_data(entry: CycleEntry) -> dict[str, Any]:
    data: dict[str, Any] = {"pep": entry.pep}
    if entry.published_status is not None:
        data["status"] = entry.published_status.value
    if entry.feature_freeze is not None:
        data["feature_freeze"] = entry.feature_freeze.isoformat()
    data["first_release"] = entry.first_release.isoformat()
    if entry.end_of_bugfix is not None:
        data["end_of_bugfix"] = entry.end_of_bugfix.isoformat()
    data["end_of_life"] = entry.end_of_life.isoformat()
    if entry.approximate:
        data["approximate"] = True
    return data
