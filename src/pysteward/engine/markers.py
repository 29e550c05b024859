"""Evaluating environment markers against the targets a project declares, instead of stripping them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from packaging.markers import Marker, UndefinedComparison, UndefinedEnvironmentName

from pysteward.engine.model import Platform, Target

__all__ = ["applicable_targets", "targets_for"]


def targets_for(pythons: Sequence[str], platforms: Sequence[Platform]) -> tuple[Target, ...]:
    """Every (Python, platform) pair, sorted."""
    return tuple(sorted(Target(python, platform) for python in pythons for platform in platforms))


@lru_cache(maxsize=4096)
def _parsed(marker_text: str) -> Marker:
    # Parsed once per text, not once per target: a lockfile repeats a few dozen marker texts.
    return Marker(marker_text)


@lru_cache(maxsize=4096)
def _evaluate(marker_text: str, target: Target, extras: tuple[str, ...]) -> bool:
    marker = _parsed(marker_text)
    environment = target.environment()
    # A marker naming an extra applies when any of the dependency's extras satisfies it.
    for extra in extras or ("",):
        environment["extra"] = extra
        try:
            if marker.evaluate(environment):
                return True
        except (UndefinedComparison, UndefinedEnvironmentName):
            # A comparison packaging cannot decide (e.g. a non-PEP 440 version): keep the dependency.
            return True
    return False


def applicable_targets(
    marker: Marker | None, targets: Sequence[Target], extras: tuple[str, ...] = ()
) -> tuple[Target, ...]:
    """The targets on which a dependency with `marker` would be installed."""
    if marker is None:
        return tuple(targets)
    text = str(marker)
    return tuple(t for t in targets if _evaluate(text, t, extras))
