"""One finding per vulnerability: records that alias each other are one `Vulnerability`.

The same flaw is often published three times (PYSEC, GHSA, CVE). Records are joined when their ids,
aliases or upstream ids overlap (union-find); the group reports one primary id, preferring PYSEC,
then GHSA, then any other, and lists the rest as aliases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.version import Version

from pysteward.engine.advisories.matching import AffectedAdvisory
from pysteward.engine.model import Severity

__all__ = ["Vulnerability", "group", "primary_id"]

_PREFERRED = ("PYSEC-", "GHSA-")


@dataclass(frozen=True, slots=True, kw_only=True)
class Vulnerability:
    """One vulnerability (or malicious package) affecting one package version."""

    id: str
    aliases: tuple[str, ...]
    """Every other id of the group (record ids, aliases, upstream ids), sorted."""
    records: tuple[str, ...]
    """The ids of the matched records that make up the group, sorted."""
    summary: str
    details: str
    severity: Severity
    score: float | None
    vector: str | None
    fix_versions: tuple[Version, ...]
    """The smallest fix above the version in use, per record: sorted, unique."""
    published: str | None
    modified: str | None
    references: tuple[str, ...]
    malicious: bool


def _rank(identifier: str) -> tuple[int, str]:
    prefix = next((i for i, p in enumerate(_PREFERRED) if identifier.startswith(p)), len(_PREFERRED))
    return prefix, identifier


def primary_id(ids: Iterable[str]) -> str:
    """The id a group is reported under: PYSEC first, then GHSA, then others; ties by id."""
    return min(ids, key=_rank)


def _components(matches: Sequence[AffectedAdvisory]) -> list[list[AffectedAdvisory]]:
    parent = list(range(len(matches)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, found in enumerate(matches):
        for identifier in found.advisory.ids:
            if identifier in owner:
                parent[find(index)] = find(owner[identifier])
            else:
                owner[identifier] = index
    groups: dict[int, list[AffectedAdvisory]] = {}
    for index, found in enumerate(matches):
        groups.setdefault(find(index), []).append(found)
    return list(groups.values())


def _merge(members: list[AffectedAdvisory]) -> Vulnerability:
    records = sorted({m.advisory.id for m in members}, key=_rank)
    advisories = sorted({m.advisory.id: m.advisory for m in members}.values(), key=lambda a: _rank(a.id))
    primary = advisories[0]
    all_ids = {i for a in advisories for i in a.ids}
    best = max((a.rating for a in advisories), key=lambda r: (r.severity, r.score or 0.0))
    summary = next((a.summary for a in advisories if a.summary), "")
    details = primary.details or next((a.details for a in advisories if a.details), "")
    published = [a.published for a in advisories if a.published]
    modified = [a.modified for a in advisories if a.modified]
    references = dict.fromkeys(url for a in advisories for url in a.references)
    return Vulnerability(
        id=primary.id,
        aliases=tuple(sorted(all_ids - {primary.id})),
        records=tuple(sorted(records)),
        summary=summary or (details.strip().splitlines() or [""])[0],
        details=details,
        severity=best.severity,
        score=best.score,
        vector=best.vector,
        fix_versions=tuple(sorted({m.fixed_in for m in members if m.fixed_in is not None})),
        published=min(published, default=None),
        modified=max(modified, default=None),
        references=tuple(references),
        malicious=any(a.malicious for a in advisories),
    )


def group(matches: Iterable[AffectedAdvisory]) -> list[Vulnerability]:
    """Merge the records matched for one package version into vulnerabilities, worst first."""
    merged = [_merge(members) for members in _components(list(matches))]
    return sorted(merged, key=lambda v: (-v.severity, _rank(v.id)))
