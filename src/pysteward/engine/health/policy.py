"""The maintenance-health policy: thresholds and switches, from `[tool.steward.health]`.

[tool.steward.health]
stale-months = 18        # no release for this many months is stale
min-maintainers = 3      # fewer people than this (and no organisation) is thinly staffed
yanked = true            # flag a pinned version its authors yanked
archived = true          # flag archived, quarantined, deprecated and inactive projects
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["HealthPolicy", "parse_health_policy"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthPolicy:
    """Which health checks run, and their thresholds (`stale_months=0` or `min_maintainers=0`: off)."""

    stale_months: int = 18
    min_maintainers: int = 3
    yanked: bool = True
    archived: bool = True


_INTEGERS = {"stale-months": "stale_months", "min-maintainers": "min_maintainers"}
_BOOLEANS = {"yanked": "yanked", "archived": "archived"}


def parse_health_policy(table: Mapping[str, object]) -> HealthPolicy:
    """A policy from a configuration table; raises ValueError naming the bad key and what it needs."""
    values: dict[str, int | bool] = {}
    for key, value in table.items():
        if key in _INTEGERS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"health: {key} must be a whole number of 0 or more, not {value!r}")
            values[_INTEGERS[key]] = value
        elif key in _BOOLEANS:
            if not isinstance(value, bool):
                raise ValueError(f"health: {key} must be true or false, not {value!r}")
            values[_BOOLEANS[key]] = value
        else:
            known = ", ".join(sorted({*_INTEGERS, *_BOOLEANS}))
            raise ValueError(f"health: unknown key {key!r} (expected one of: {known})")
    return HealthPolicy(**values)  # type: ignore[arg-type]
