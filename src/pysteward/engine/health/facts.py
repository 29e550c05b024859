"""Maintenance-health facts about one dependency, from what the package index says of its project."""

from __future__ import annotations

import calendar
import itertools
import statistics
from dataclasses import dataclass
from datetime import date

from packaging.version import Version

from pysteward.engine.index.values import ProjectInfo, ProjectState

__all__ = ["CADENCE_YEARS", "HealthFacts", "health_facts", "months_before"]

CADENCE_YEARS = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthFacts:
    """The facts a report shows beside the findings (all derived, none judged)."""

    name: str
    version: Version | None
    latest_version: Version | None
    last_release: date | None
    cadence_days: float | None
    """Median days between releases over the last three years (None with fewer than two)."""
    yanked: bool
    yanked_reason: str | None
    owners: tuple[str, ...]
    maintainers: tuple[str, ...]
    organization: str | None
    ownership_known: bool
    status: ProjectState
    status_reason: str | None
    inactive: bool

    @property
    def people(self) -> int:
        """Distinct people with a role on the project (an owner who also maintains counts once)."""
        return len({*self.owners, *self.maintainers})


def months_before(on: date, months: int) -> date:
    """The date `months` calendar months before `on` (the 31st clamps to the month's last day)."""
    index = on.year * 12 + on.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(on.day, calendar.monthrange(year, month + 1)[1]))


def _release_dates(info: ProjectInfo) -> list[date]:
    return sorted({r.uploaded.date() for r in info.releases if r.uploaded is not None})


def _cadence(dates: list[date], on: date) -> float | None:
    cutoff = months_before(on, 12 * CADENCE_YEARS)
    recent = [d for d in dates if cutoff <= d <= on]
    if len(recent) < 2:
        return None
    return float(statistics.median((b - a).days for a, b in itertools.pairwise(recent)))


def health_facts(info: ProjectInfo, version: Version | None, on: date) -> HealthFacts:
    """The health facts of `info`'s project, for the pinned `version` (None: unpinned), as of `on`."""
    dates = _release_dates(info)
    release = None if version is None else info.release(version)
    return HealthFacts(
        name=info.name,
        version=version,
        latest_version=info.latest_version,
        last_release=dates[-1] if dates else None,
        cadence_days=_cadence(dates, on),
        yanked=release is not None and release.yanked,
        yanked_reason=release.yanked_reason if release is not None else None,
        owners=info.owners,
        maintainers=info.maintainers,
        organization=info.organization,
        ownership_known=info.ownership_known,
        status=info.status.state,
        status_reason=info.status.reason,
        inactive=info.inactive,
    )
