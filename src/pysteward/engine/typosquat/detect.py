"""Typosquat detection: a dependency named almost like a much more popular package (issue 3 §5).

A name is suspect when its key (the PEP 503 name without separators) is one small edit away from
the key of a name among the `top` most downloaded, or the same apart from a `python`/`py` prefix or
suffix, while the popular package is downloaded at least `min_ratio` times as often. A name that is
not in the popular list counts as 0 downloads. The tricks, one edit each, never at the first letter:

- swapped adjacent letters (`reqeusts`), a doubled letter (`urlllib3`), a dropped letter (`urlib3`);
- a plural `s` added at the end (`python-dateutils`);
- a substitution by a look-alike character (`crypt0graphy`) or a neighbouring key (`requezts`);
- separators only (`pythondateutil` for `python-dateutil`; `python_dateutil` *is* `python-dateutil`
  under PEP 503, so it is never flagged);
- one `python-`, `python3-`, `py-`, `python` prefix or `-python`, `-py`, `python` suffix added
  (`py-requests`, `requests-python`); a bare `py` prefix (`pyrequests`) is how bindings are named.

All thresholds are `TyposquatThresholds` fields; docs/typosquats.md gives the measured false-positive
rate behind the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.findings import TyposquatFinding
from pysteward.engine.model import (
    Dependency,
    Location,
    PinnedDependency,
    Severity,
    SourceKind,
    normalize,
)
from pysteward.engine.typosquat._edits import Trick, cores, key, single_edit
from pysteward.engine.typosquat._index import near_targets
from pysteward.engine.typosquat.names import PopularNames

__all__ = [
    "DEFAULT_THRESHOLDS",
    "RULE",
    "Suspicion",
    "TyposquatThresholds",
    "find_typosquats",
    "typosquat_candidates",
    "typosquat_findings",
]

RULE = "steward/typosquat"


@dataclass(frozen=True, slots=True, kw_only=True)
class TyposquatThresholds:
    """When a near name counts as a possible typosquat; the defaults are tuned in docs/typosquats.md."""

    top: int = 5000
    """Only the `top` most downloaded names are imitated (the targets)."""
    min_ratio: float = 50.0
    """The target must be downloaded at least this many times as often as the candidate."""
    safe_rank: int = 1000
    """A candidate ranked this high itself is never flagged (it is popular in its own right)."""
    short_length: int = 4
    """Names whose key has at most this many characters are short: they match by one edit only."""
    short_min_ratio: float = 1000.0
    """The popularity gap a short name needs (short names collide by chance far more often)."""

    def __post_init__(self) -> None:
        if min(self.top, self.safe_rank, self.short_length) < 0:
            raise ValueError("typosquat thresholds cannot be negative")
        if min(self.min_ratio, self.short_min_ratio) <= 1:
            raise ValueError("a typosquat popularity ratio must be greater than 1")


DEFAULT_THRESHOLDS = TyposquatThresholds()


@dataclass(frozen=True, slots=True, kw_only=True)
class Suspicion:
    """`name` may imitate the more popular `similar_to`, by `trick`."""

    name: NormalizedName
    downloads: int
    """The candidate's downloads in the popular list (0 when it is not listed)."""
    similar_to: NormalizedName
    similar_downloads: int
    similar_rank: int
    trick: Trick
    detail: str

    @property
    def reason(self) -> str:
        """One phrase for reports: `swapped letters ('eu' for 'ue')`."""
        return f"{self.trick} ({self.detail})"


def typosquat_candidates(
    name: str, popular: PopularNames, thresholds: TyposquatThresholds = DEFAULT_THRESHOLDS
) -> list[Suspicion]:
    """The popular packages `name` may imitate, most downloaded first (empty when none)."""
    return find_typosquats([name], popular, thresholds).get(normalize(name), [])


def find_typosquats(
    names: Iterable[str], popular: PopularNames, thresholds: TyposquatThresholds = DEFAULT_THRESHOLDS
) -> dict[NormalizedName, list[Suspicion]]:
    """`typosquat_candidates` for many names at once: only the suspect ones, by normalised name."""
    candidates = []
    for candidate in dict.fromkeys(map(normalize, names)):
        rank = popular.rank(candidate)
        if rank is None or rank > thresholds.safe_rank:
            candidates.append(candidate)
    targets = popular.names[: thresholds.top]
    near = near_targets(candidates, [target for target, _ in targets], thresholds.short_length + 1)
    found: dict[NormalizedName, list[Suspicion]] = {}
    for candidate, positions in zip(candidates, near, strict=True):
        suspicions = _suspicions(candidate, popular, positions, thresholds)
        if suspicions:
            found[candidate] = suspicions
    return found


def _suspicions(
    candidate: NormalizedName, popular: PopularNames, positions: list[int], thresholds: TyposquatThresholds
) -> list[Suspicion]:
    downloads = popular.downloads(candidate)
    found = []
    for position in positions:
        target, target_downloads = popular.names[position]
        if target == candidate:
            continue
        trick = _trick(candidate, target, thresholds)
        short = _is_short(candidate, target, thresholds)
        if trick is None or not _gap_enough(downloads, target_downloads, short, thresholds):
            continue
        found.append(
            Suspicion(
                name=candidate,
                downloads=downloads,
                similar_to=target,
                similar_downloads=target_downloads,
                similar_rank=position + 1,
                trick=trick[0],
                detail=trick[1],
            )
        )
    return found


def typosquat_findings(
    dependencies: Iterable[Dependency],
    popular: PopularNames,
    thresholds: TyposquatThresholds = DEFAULT_THRESHOLDS,
) -> list[TyposquatFinding]:
    """One finding per suspect package and version, with every place that names it.

    Only dependencies installed from the package index are judged: a URL, VCS or path reference names
    its source explicitly, so a look-alike name cannot mislead the installer.
    """
    places: dict[tuple[NormalizedName, Version | None], list[Dependency]] = {}
    for dependency in dependencies:
        if dependency.source is SourceKind.INDEX:
            version = dependency.version if isinstance(dependency, PinnedDependency) else None
            places.setdefault((dependency.name, version), []).append(dependency)
    suspects = find_typosquats((name for name, _ in places), popular, thresholds)
    findings = []
    for (name, version), found in sorted(places.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        if name in suspects:
            findings.append(_finding(suspects[name][0], version, found))
    return findings


def _finding(suspicion: Suspicion, version: Version | None, found: list[Dependency]) -> TyposquatFinding:
    locations: tuple[Location, ...] = tuple(dict.fromkeys(d.location for d in found))
    return TyposquatFinding(
        rule=RULE,
        # Medium: a name this close to a far more popular one must be checked by a person, but most
        # such names are honest (see the false-positive rate in docs/typosquats.md).
        severity=Severity.MEDIUM,
        title=f"{found[0].display_name} may be a typosquat of {suspicion.similar_to}: {suspicion.reason}",
        locations=locations,
        package=suspicion.name,
        version=version,
        similar_to=suspicion.similar_to,
        similar_downloads=suspicion.similar_downloads,
        reason=suspicion.reason,
    )


def _is_short(candidate: str, target: str, thresholds: TyposquatThresholds) -> bool:
    return min(len(key(candidate)), len(key(target))) <= thresholds.short_length


def _trick(candidate: str, target: str, thresholds: TyposquatThresholds) -> tuple[Trick, str] | None:
    candidate_key, target_key = key(candidate), key(target)
    short = _is_short(candidate, target, thresholds)
    if candidate_key == target_key:
        # Same letters, other separators: not one edit, so not for short names.
        return None if short else (Trick.SEPARATOR, f"{target} without its separators")
    edit = single_edit(candidate_key, target_key)
    if edit is not None or short:
        return edit
    if target_key in cores(candidate, thresholds.short_length + 1):
        return Trick.AFFIX, f"{target} with a python/py prefix or suffix"
    return None


def _gap_enough(downloads: int, target_downloads: int, short: bool, thresholds: TyposquatThresholds) -> bool:
    ratio = thresholds.short_min_ratio if short else thresholds.min_ratio
    return target_downloads >= ratio * downloads and target_downloads > downloads
