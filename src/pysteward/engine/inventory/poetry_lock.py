"""Poetry's `poetry.lock`, format 1.x (`category`, hashes under `[metadata.files]`) and 2.x (`groups`,
`markers`, hashes under each package's `files`).

Scopes: a package in the `main` group is `main`, or `optional` when it is only installed for an extra
(`optional = true`); a package only in other groups carries their names; 1.x's `category = "dev"` is
`dev`. The lock does not say which packages the project names itself, so `direct` is unknown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from packaging.specifiers import SpecifierSet

from pysteward.engine.inventory._lockfiles import Entry, LockFile, Source, hashes_of, or_markers, text_or_none
from pysteward.engine.inventory._poetry import poetry_alternatives
from pysteward.engine.inventory.interface import Parser
from pysteward.engine.model import MAIN_SCOPE, Dependency, Manifest, SourceKind, normalize

__all__ = ["PoetryLockParser"]

_OPTIONAL = "optional"
_SOURCE_KINDS = {"url": SourceKind.URL, "file": SourceKind.PATH, "directory": SourceKind.PATH}


class PoetryLockParser(Parser):
    """Reads `poetry.lock`."""

    kind: ClassVar[str] = "poetry.lock"
    patterns: ClassVar[tuple[str, ...]] = ("poetry.lock",)
    is_lock: ClassVar[bool] = True

    def parse(self, path: Path) -> Manifest:
        """Every locked package, with its groups, markers, hashes and source."""
        lock = LockFile.read(path)
        if lock.is_blank:
            return lock.manifest(self.kind, [])
        doc = lock.toml()
        metadata = doc.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        files = metadata.get("files")
        legacy_files: dict[str, Any] = (
            {normalize(k): v for k, v in files.items()} if isinstance(files, dict) else {}
        )
        dependencies: list[Dependency] = []
        edges: list[tuple[str | None, str]] = []
        for context, table, line in lock.packages(doc, "package"):
            entry = _entry(lock, context, table, line, legacy_files)
            dependency = lock.dependency(entry) if entry else None
            if dependency is not None:
                dependencies.append(dependency)
                edges.extend(_edges(dependency.display_name, table))
        python = _python(lock, text_or_none(metadata.get("python-versions")))
        return lock.manifest(self.kind, dependencies, python, edges)


def _entry(
    lock: LockFile, context: str, table: dict[str, Any], line: int | None, legacy_files: dict[str, Any]
) -> Entry | None:
    name = lock.name(table, context, line)
    version = lock.string(table, "version", context, line)
    if name is None:
        return None
    hashes = hashes_of(table.get("files")) or hashes_of(legacy_files.get(normalize(name)))
    return Entry(
        context=context,
        name=name,
        line=line,
        version=version,
        source=_source(table),
        scopes=_scopes(table),
        marker=_marker(table.get("markers")),
        hashes=hashes,
    )


def _edges(parent: str, table: dict[str, Any]) -> list[tuple[str | None, str]]:
    """`[package.dependencies]` names the packages this one requires. The lock does not say what the
    project itself requires (that is in pyproject.toml), so no edge has the project as its parent."""
    requires = table.get("dependencies")
    if not isinstance(requires, dict):
        return []
    return [(parent, child) for child in requires if child.lower() != "python"]


def _scopes(table: dict[str, Any]) -> tuple[str, ...]:
    groups = table.get("groups")
    if isinstance(groups, list) and groups:
        names = {group for group in groups if isinstance(group, str)}
        if MAIN_SCOPE not in names:
            return tuple(sorted(names))
    elif table.get("category") == "dev":
        return ("dev",)
    return (_OPTIONAL,) if table.get("optional") is True else (MAIN_SCOPE,)


def _marker(markers: Any) -> str | None:
    """Poetry 2 writes one marker string, or a table of markers per group (needed if any applies)."""
    if isinstance(markers, str):
        return markers
    if isinstance(markers, dict) and markers:
        return or_markers([m if isinstance(m, str) else None for m in markers.values()])
    return None


def _source(table: dict[str, Any]) -> Source | None:
    """None for an index (`legacy` is a private index); a direct reference for git, url, file, directory."""
    source = table.get("source")
    if not isinstance(source, dict):
        return None
    kind = source.get("type")
    url = text_or_none(source.get("url")) or ""
    if kind == "git":
        return Source(SourceKind.VCS, url, text_or_none(source.get("resolved_reference")))
    if kind == "directory" and table.get("develop") is True:
        return Source(SourceKind.EDITABLE, url)
    if isinstance(kind, str) and kind in _SOURCE_KINDS:
        return Source(_SOURCE_KINDS[kind], url)
    return None


def _python(lock: LockFile, text: str | None) -> SpecifierSet | None:
    """`[metadata] python-versions` (`^3.10`, `>=3.8,<4.0`) as a specifier set.

    None when there is no constraint (`*`), or it has alternatives (`^2.7 || ^3.6`) one set cannot
    hold; a constraint Poetry's syntax does not allow is dropped with a warning.
    """
    if text is None:
        return None
    try:
        alternatives = poetry_alternatives(text)
    except ValueError as e:
        lock.warn(f"ignoring invalid python-versions {text!r}: {e}", lock.key_line("python-versions"))
        return None
    if len(alternatives) != 1 or not alternatives[0]:
        return None
    return SpecifierSet(alternatives[0])
