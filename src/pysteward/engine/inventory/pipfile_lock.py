"""Pipenv's `Pipfile.lock` (JSON): `default` is `main`, `develop` is `dev`, and any other section
(pipenv's package categories) is a scope of its own name.

The same name and version in several sections is one dependency; different versions stay separate.
Entries without a `version` (editable, git, path and file requirements) are direct references built
from their `git`/`ref`, `path`, `file` and `editable` keys. Lines are those of each package's key in
pretty-printed JSON; a minified lock has no useful lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from pysteward.engine.inventory._lockfiles import Entry, LockFile, Source, merge_scopes, strings, text_or_none
from pysteward.engine.inventory._requirement import url_kind
from pysteward.engine.inventory.interface import Parser
from pysteward.engine.model import MAIN_SCOPE, Dependency, Manifest, SourceKind, normalize

__all__ = ["PipfileLockParser"]

_SCOPES = {"default": MAIN_SCOPE, "develop": "dev"}


class PipfileLockParser(Parser):
    """Reads `Pipfile.lock`."""

    kind: ClassVar[str] = "Pipfile.lock"
    patterns: ClassVar[tuple[str, ...]] = ("pipfile.lock",)
    is_lock: ClassVar[bool] = True

    def parse(self, path: Path) -> Manifest:
        """Every locked package of every section."""
        lock = LockFile.read(path)
        if lock.is_blank:
            return lock.manifest(self.kind, [])
        doc = lock.json()
        if not isinstance(doc, dict):
            lock.problem("document", "expected a JSON object", 1)
            return lock.manifest(self.kind, [])
        entries: dict[tuple[str, object], Entry] = {}
        for section, packages in doc.items():
            if section == "_meta":
                continue
            if not isinstance(packages, dict):
                if section in _SCOPES:
                    lock.problem(section, "expected an object", _key_line(lock.text, section, 0))
                continue
            for entry in _section(lock, section, packages):
                _merge(entries, entry)
        dependencies: list[Dependency] = []
        for entry in entries.values():
            dependency = lock.dependency(entry)
            if dependency is not None:
                dependencies.append(dependency)
        return lock.manifest(self.kind, dependencies, _python(lock, doc.get("_meta")))


def _section(lock: LockFile, section: str, packages: dict[str, Any]) -> list[Entry]:
    scope = _SCOPES.get(section, section)
    start = _key_line(lock.text, section, 0) or 0
    entries = []
    for name, spec in packages.items():
        context = f"{section}.{name}"
        line = _key_line(lock.text, name, start)
        if not isinstance(spec, dict):
            lock.problem(context, "expected an object", line)
            continue
        entry = _entry(lock, context, name, spec, line=line, scope=scope)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(
    lock: LockFile, context: str, name: str, spec: dict[str, Any], *, line: int | None, scope: str
) -> Entry | None:
    version = lock.string(spec, "version", context, line)
    if version is not None:
        version = version.removeprefix("===").removeprefix("==")
    source = _source(spec)
    if version is None and source is None:
        lock.warn(f"{context}: no version and no source; skipped", line)
        return None
    return Entry(
        context=context,
        name=name,
        line=line,
        version=version,
        source=source,
        scopes=(scope,),
        marker=text_or_none(spec.get("markers")),
        hashes=strings(spec.get("hashes")),
        extras=strings(spec.get("extras")),
    )


def _source(spec: dict[str, Any]) -> Source | None:
    """A direct reference from `git`/`ref`, `path` or `file`; None for an index package."""
    editable = spec.get("editable") is True
    git = spec.get("git")
    if isinstance(git, str):
        ref = spec.get("ref")
        return Source(SourceKind.VCS, git, ref if isinstance(ref, str) else None)
    path = spec.get("path")
    if isinstance(path, str):
        return Source(SourceKind.EDITABLE if editable else SourceKind.PATH, path)
    file = spec.get("file")
    if isinstance(file, str):
        return Source(SourceKind.EDITABLE if editable else url_kind(file), file)
    return None


def _merge(entries: dict[tuple[str, object], Entry], entry: Entry) -> None:
    """One dependency per name and version: a second section adds its scope to the first."""
    key = (normalize(entry.name), _version_key(entry.version))
    first = entries.get(key)
    if first is None:
        entries[key] = entry
        return
    entries[key] = Entry(
        context=first.context,
        name=first.name,
        line=first.line,
        version=first.version,
        source=first.source,
        scopes=merge_scopes({*first.scopes, *entry.scopes}),
        marker=first.marker,
        hashes=first.hashes,
        extras=tuple(sorted({*first.extras, *entry.extras})),
    )


def _version_key(text: str | None) -> object:
    """`2.2` and `2.2.0` are the same version; text that does not parse is compared as written."""
    try:
        return Version(text) if text is not None else None
    except InvalidVersion:
        return text


def _key_line(text: str, key: str, start: int) -> int | None:
    """The first line after line `start` that begins with the JSON key `"key":` (None if minified)."""
    wanted = json.dumps(key, ensure_ascii=False) + ":"
    for number, line in enumerate(text.splitlines()[start:], start=start + 1):
        if line.lstrip().startswith(wanted):
            return number
    return None


def _python(lock: LockFile, meta: Any) -> SpecifierSet | None:
    """`_meta.requires`: `python_full_version` pins a release, `python_version` a minor series."""
    requires = meta.get("requires") if isinstance(meta, dict) else None
    if not isinstance(requires, dict):
        return None
    full = requires.get("python_full_version")
    if isinstance(full, str):
        return lock.specifier(f"=={full}")
    minor = requires.get("python_version")
    if isinstance(minor, str):
        return lock.specifier(f"=={minor}.*")
    return None
