"""PEP 751 lock files (`pylock.toml`, `pylock.<name>.toml`): `[[packages]]` with a name, a version,
a marker, and where the package comes from (an index, `vcs`, `directory` or `archive`).

The project itself (a `directory` package at `.`) is not a dependency. packaging's `Pylock` validates
the whole file; tools in the wild write locks it rejects (PDM omits an sdist's `url`), so its findings
are warnings and only what Steward cannot read (a package without a usable name or version, an
unsupported `lock-version`) is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from packaging.pylock import Pylock, PylockUnsupportedVersionError, PylockValidationError

from pysteward.engine.inventory._lockfiles import Entry, LockFile, Source, text_or_none
from pysteward.engine.inventory.interface import InventoryError, Parser
from pysteward.engine.model import Dependency, Manifest, SourceKind

__all__ = ["PylockParser"]


class PylockParser(Parser):
    """Reads PEP 751 `pylock.toml` files."""

    kind: ClassVar[str] = "pylock.toml"
    patterns: ClassVar[tuple[str, ...]] = ("pylock.toml", "pylock.*.toml")
    is_lock: ClassVar[bool] = True

    def parse(self, path: Path) -> Manifest:
        """Every locked package except the project itself."""
        lock = LockFile.read(path)
        if lock.is_blank:
            return lock.manifest(self.kind, [])
        doc = lock.toml()
        _validate(lock, doc)
        dependencies: list[Dependency] = []
        edges: list[tuple[str | None, str]] = []
        for context, table, line in lock.packages(doc, "packages"):
            if _is_project(table):
                edges.extend((None, child) for child in _children(table))
                continue
            entry = _entry(lock, context, table, line)
            dependency = lock.dependency(entry) if entry else None
            if dependency is not None:
                dependencies.append(dependency)
                edges.extend((dependency.display_name, child) for child in _children(table))
        return lock.manifest(
            self.kind,
            dependencies,
            lock.specifier(text_or_none(doc.get("requires-python")), "requires-python"),
            edges,
        )


def _validate(lock: LockFile, doc: dict[str, Any]) -> None:
    """packaging's full PEP 751 check: an unsupported version is fatal, other findings are warnings."""
    try:
        Pylock.from_dict(doc)
    except PylockUnsupportedVersionError as e:
        raise InventoryError(
            f"lock-version: {e.message}", path=lock.path, line=lock.key_line("lock-version")
        ) from None
    except PylockValidationError as e:
        where = f"{e.context}: " if e.context else ""
        lock.warn(f"not a valid PEP 751 lock file: {where}{e.message.lower()}")


def _is_project(table: dict[str, Any]) -> bool:
    directory = table.get("directory")
    return isinstance(directory, dict) and text_or_none(directory.get("path")) in (".", "./")


def _children(table: dict[str, Any]) -> list[str]:
    """The names in a package's optional `dependencies` array (PEP 751: tables naming locked packages)."""
    requires = table.get("dependencies")
    if not isinstance(requires, list):
        return []
    return [name for item in requires if isinstance(item, dict) and isinstance(name := item.get("name"), str)]


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
        marker=lock.string(table, "marker", context, line),
        hashes=_hashes(table),
    )


def _source(table: dict[str, Any]) -> Source | None:
    """A direct reference for `vcs`, `directory` and `archive` packages; None for an index package."""
    vcs = table.get("vcs")
    if isinstance(vcs, dict):
        where = text_or_none(vcs.get("url")) or text_or_none(vcs.get("path")) or ""
        return Source(SourceKind.VCS, where, text_or_none(vcs.get("commit-id")))
    directory = table.get("directory")
    if isinstance(directory, dict):
        kind = SourceKind.EDITABLE if directory.get("editable") is True else SourceKind.PATH
        return Source(kind, text_or_none(directory.get("path")) or "")
    archive = table.get("archive")
    if isinstance(archive, dict):
        url = text_or_none(archive.get("url"))
        if url is not None:
            return Source(SourceKind.URL, url)
        return Source(SourceKind.PATH, text_or_none(archive.get("path")) or "")
    return None


def _hashes(table: dict[str, Any]) -> tuple[str, ...]:
    """`algo:hex` for every artifact's `hashes` table (archive, sdist, wheels)."""
    artifacts: list[Any] = [table.get("archive"), table.get("sdist")]
    wheels = table.get("wheels")
    if isinstance(wheels, list):
        artifacts.extend(wheels)
    found: list[str] = []
    for artifact in artifacts:
        hashes = artifact.get("hashes") if isinstance(artifact, dict) else None
        if isinstance(hashes, dict):
            found.extend(f"{algo}:{digest}" for algo, digest in hashes.items() if isinstance(digest, str))
    return tuple(found)
