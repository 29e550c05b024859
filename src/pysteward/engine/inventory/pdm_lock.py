"""PDM's `pdm.lock`: `[[package]]` tables with the groups that install them.

Scopes follow what the lock can tell apart: the `default` group is `main`, the `dev` group is `dev`,
and any other group (an extra or an optional group, which the lock does not distinguish) is
`optional`. A package in several groups is `main` if any of them is `default`. PDM writes one table
per extras combination of a package; they are one dependency.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from pysteward.engine.inventory._lockfiles import Entry, LockFile, Source, hashes_of, strings, text_or_none
from pysteward.engine.inventory.interface import Parser
from pysteward.engine.model import MAIN_SCOPE, Dependency, Manifest, SourceKind

__all__ = ["PdmLockParser"]

_DEV = "dev"
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_OPTIONAL = "optional"


class PdmLockParser(Parser):
    """Reads `pdm.lock`."""

    kind: ClassVar[str] = "pdm.lock"
    patterns: ClassVar[tuple[str, ...]] = ("pdm.lock",)
    is_lock: ClassVar[bool] = True

    def parse(self, path: Path) -> Manifest:
        """Every locked package, with its groups, marker, hashes and source."""
        lock = LockFile.read(path)
        if lock.is_blank:
            return lock.manifest(self.kind, [])
        doc = lock.toml()
        dependencies: list[Dependency] = []
        edges: list[tuple[str | None, str]] = []
        seen: set[tuple[str, str | None, Source | None]] = set()
        for context, table, line in lock.packages(doc, "package"):
            entry = _entry(lock, context, table, line)
            if entry is not None:
                # Every extras table of a package adds what its extras require.
                edges.extend((entry.name, child) for child in _requirement_names(table.get("dependencies")))
            if entry is None or (entry.name.lower(), entry.version, entry.source) in seen:
                continue
            seen.add((entry.name.lower(), entry.version, entry.source))
            dependency = lock.dependency(entry)
            if dependency is not None:
                dependencies.append(dependency)
        metadata = doc.get("metadata")
        python = metadata.get("requires_python") if isinstance(metadata, dict) else None
        python_requires = lock.specifier(text_or_none(python), "requires_python")
        return lock.manifest(self.kind, dependencies, python_requires, edges)


def _entry(lock: LockFile, context: str, table: dict[str, Any], line: int | None) -> Entry | None:
    name = lock.name(table, context, line)
    version = lock.string(table, "version", context, line)
    if name is None:
        return None
    return Entry(
        context=context,
        name=name,
        line=line,
        version=version,
        source=_source(table),
        scopes=_scopes(table.get("groups")),
        marker=text_or_none(table.get("marker")),
        hashes=hashes_of(table.get("files")),
        extras=strings(table.get("extras")),
    )


def _requirement_names(requirements: Any) -> list[str]:
    """The project names of PEP 508 requirement strings (`idna>=2.5; python_version >= "3"` → `idna`).

    The lock has already resolved them, so only the name matters; markers are not evaluated (the
    edge's child is locked only where its marker can hold).
    """
    return [match.group(0) for text in strings(requirements) if (match := _NAME.match(text.strip()))]


def _scopes(groups: Any) -> tuple[str, ...]:
    if not isinstance(groups, list) or not groups or "default" in groups:
        return (MAIN_SCOPE,)
    return tuple(sorted({_DEV if group == _DEV else _OPTIONAL for group in groups}))


def _source(table: dict[str, Any]) -> Source | None:
    """A direct reference for git, url and path packages; None for an index package."""
    git = text_or_none(table.get("git"))
    if git is not None:
        return Source(SourceKind.VCS, git, text_or_none(table.get("revision")))
    path = text_or_none(table.get("path"))
    if path is not None:
        return Source(SourceKind.EDITABLE if table.get("editable") is True else SourceKind.PATH, path)
    url = text_or_none(table.get("url"))
    if url is not None:
        return Source(SourceKind.URL, url)
    return None
