"""Planning fixes: for each vulnerable pin, the lowest version at or above it that no advisory affects.

Candidates are every version the advisory data knows for the package (the `fixed` events of its
records, the versions their `versions` lists name, and the version in use), at or above the current
one, tried in ascending PEP 440 order. Pre-releases are skipped unless the current version is one.
Each candidate is matched against the database again, so a proposal is never itself vulnerable; a
vulnerability the configuration ignores (by any of its ids) does not disqualify a candidate, as it
does not count in the assessment either. When no candidate is clean the package is unfixable.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.advisories import Advisory, AdvisorySource, group, match_all
from pysteward.engine.assessment import Assessment, ProjectAssessment
from pysteward.engine.findings import VulnerabilityFinding
from pysteward.engine.fixes.commands import FileAction, action_for
from pysteward.engine.model import Location, PinnedDependency

__all__ = [
    "FixPlan",
    "Unfixable",
    "Upgrade",
    "candidate_versions",
    "crosses_major",
    "lowest_safe_version",
    "plan_fixes",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Upgrade:
    """Move one pinned package version to the lowest version that clears its vulnerabilities."""

    name: NormalizedName
    display_name: str
    current: Version
    target: Version
    clears: tuple[str, ...]
    """The ids of the vulnerabilities the upgrade removes, sorted."""
    crosses_major: bool
    """The target is in another major series (for 0.x, another minor): expect breaking changes."""
    locations: tuple[Location, ...]
    """Every place that pins the current version."""
    files: tuple[FileAction, ...]
    """What to do at each location: rewrite a requirements file, run a lock command, or edit by hand."""


@dataclass(frozen=True, slots=True)
class Unfixable:
    """A vulnerable pin for which the advisory data knows no safe version."""

    name: NormalizedName
    version: Version
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FixPlan:
    """The smallest set of upgrades that clears the vulnerabilities an assessment found."""

    upgrades: tuple[Upgrade, ...] = ()
    unfixable: tuple[Unfixable, ...] = ()
    notes: tuple[str, ...] = ()
    """Warnings for the reader: major-version jumps and packages without a safe version."""

    @property
    def empty(self) -> bool:
        """Nothing to upgrade and nothing unfixable: the project has no vulnerable pins."""
        return not self.upgrades and not self.unfixable


def crosses_major(current: Version, target: Version) -> bool:
    """Whether `target` leaves `current`'s major series (for 0.x versions, its minor series)."""
    if current.major != target.major:
        return True
    return current.major == 0 and current.minor != target.minor


def candidate_versions(
    name: NormalizedName, current: Version, advisories: Iterable[Advisory]
) -> list[Version]:
    """The versions the records of `name` mention at or above `current`, ascending, current included."""
    known = {current}
    for advisory in advisories:
        for entry in advisory.affected:
            if entry.name == name:
                known.update(entry.fixed)
                known.update(Version(text) for text in entry.versions)
    allow_pre = current.is_prerelease
    return sorted(v for v in known if v >= current and (allow_pre or not v.is_prerelease))


def lowest_safe_version(
    name: NormalizedName,
    current: Version,
    database: AdvisorySource,
    *,
    ignored: Collection[str] = (),
) -> Version | None:
    """The lowest candidate (see `candidate_versions`) no live, unignored advisory affects, or None."""
    advisories = database.advisories_for([name]).get(name, [])
    candidates = candidate_versions(name, current, advisories)
    hits = match_all(((name, v) for v in candidates), database)
    for version in candidates:
        found = group(hits[name, version])
        if all(_ignored(v.id, v.aliases, ignored) for v in found):
            return version
    return None


def _ignored(primary: str, aliases: Sequence[str], ignored: Collection[str]) -> bool:
    """Whether an ignore rule names the vulnerability by its id or any alias."""
    return primary in ignored or any(alias in ignored for alias in aliases)


def plan_fixes(
    assessment: Assessment,
    database: AdvisorySource,
    *,
    ignored: Collection[str] = (),
) -> FixPlan:
    """Plan the upgrades for every vulnerable pin of `assessment`, checked against `database`."""
    upgrades: list[Upgrade] = []
    unfixable: list[Unfixable] = []
    notes: list[str] = []
    for (name, current), findings in _vulnerable(assessment).items():
        ids = tuple(sorted({f.vulnerability_id for f in findings}))
        target = lowest_safe_version(name, current, database, ignored=ignored)
        display = _display_name(assessment.projects, name)
        if target is None:
            unfixable.append(Unfixable(name, current, ids))
            notes.append(f"{display} {current}: no safe version known ({', '.join(ids)})")
            continue
        upgrade = _upgrade(
            assessment, display=display, findings=findings, current=current, target=target, ids=ids
        )
        if upgrade.crosses_major:
            notes.append(f"{display} {current} -> {target} crosses a major version; check its changelog")
        upgrades.append(upgrade)
    return FixPlan(upgrades=tuple(upgrades), unfixable=tuple(unfixable), notes=tuple(notes))


def _vulnerable(
    assessment: Assessment,
) -> dict[tuple[NormalizedName, Version], list[VulnerabilityFinding]]:
    """The unignored vulnerability findings of every project, by pin, sorted by name and version."""
    found: dict[tuple[NormalizedName, Version], list[VulnerabilityFinding]] = {}
    for _, finding in assessment.findings():
        if isinstance(finding, VulnerabilityFinding):
            key = (NormalizedName(finding.package), finding.version)
            found.setdefault(key, []).append(finding)
    return dict(sorted(found.items()))


def _display_name(projects: Sequence[ProjectAssessment], name: NormalizedName) -> str:
    """The name as the first file that pins it writes it."""
    spelled = (
        d.dependency.display_name for p in projects for d in p.dependencies if d.dependency.name == name
    )
    return next(spelled, name)


def _upgrade(
    assessment: Assessment,
    *,
    display: str,
    findings: Sequence[VulnerabilityFinding],
    current: Version,
    target: Version,
    ids: tuple[str, ...],
) -> Upgrade:
    name = NormalizedName(findings[0].package)
    locations = tuple(dict.fromkeys(loc for f in findings for loc in f.locations))
    kinds = _kinds(assessment.projects)
    files = tuple(action_for(kinds.get(loc.path, "unknown"), loc, display, target) for loc in locations)
    return Upgrade(
        name=name,
        display_name=display,
        current=current,
        target=target,
        clears=ids,
        crosses_major=crosses_major(current, target),
        locations=locations,
        files=files,
    )


def _kinds(projects: Sequence[ProjectAssessment]) -> dict[Path, str]:
    """The kind of manifest each pinned dependency's file is (an included file is a requirements file)."""
    return {
        dep.location.path: manifest.kind
        for project in projects
        for manifest in project.manifests
        for dep in manifest.dependencies
        if isinstance(dep, PinnedDependency)
    }
