"""What the lockfile parsers share: one `LockFile` per file being read, and `Entry`, the common shape
every format's package entry is turned into before it becomes a `Dependency`.

Each format only knows where its fields live; deciding pinned versus direct reference, validating names
and versions, parsing markers, finding a package's line and reporting every problem in the file at once
happens here, so the five lockfile formats behave the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pysteward.engine.inventory._files import header_lines, load_json, load_toml, read_text
from pysteward.engine.inventory._problems import Problems
from pysteward.engine.model import (
    MAIN_SCOPE,
    Dependency,
    DirectReference,
    Edge,
    Location,
    Manifest,
    PinnedDependency,
    SourceKind,
    normalize,
)

__all__ = [
    "Entry",
    "LockFile",
    "Source",
    "hashes_of",
    "merge_scopes",
    "or_markers",
    "strings",
    "text_or_none",
]

# PEP 508 project names; anything else in a lockfile's `name` is corruption, not a package.
_PROJECT_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_NAME_LINE = re.compile(r"""^\s*name\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a package not taken from an index comes from."""

    kind: SourceKind
    url: str
    commit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One package entry of a lockfile, in the terms all formats share."""

    context: str
    """Where the entry sits in the document (`package[3]`, `develop.requests`), for messages."""
    name: str
    line: int | None
    version: str | None = None
    source: Source | None = None
    """None for a package from an index (the default or a private one)."""
    scopes: tuple[str, ...] = (MAIN_SCOPE,)
    direct: bool | None = None
    marker: str | None = None
    hashes: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()


def merge_scopes(scopes: set[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Sorted scopes; a package the main environment installs is `main` whatever else wants it."""
    if not scopes or MAIN_SCOPE in scopes:
        return (MAIN_SCOPE,)
    return tuple(sorted(set(scopes)))


def or_markers(markers: list[str | None]) -> str | None:
    """The OR of conditions under which something is needed; None when one of them is unconditional."""
    if not markers or any(marker is None for marker in markers):
        return None
    distinct = list(dict.fromkeys(marker for marker in markers if marker is not None))
    if len(distinct) == 1:
        return distinct[0]
    return " or ".join(f"({marker})" for marker in distinct)


@lru_cache(maxsize=4096)
def _parse_marker(text: str) -> Marker:
    """Markers repeat a lot in a lockfile (paperless-ngx: 545 markers, 24 distinct texts); parse each once.

    A Marker is never mutated once built, so sharing one between dependencies is safe.
    """
    return Marker(text)


class LockFile:
    """One lockfile being read: its text, and the problems and warnings found so far."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.problems = Problems(path)
        self.warnings: list[str] = []
        self._failed: set[str] = set()

    @classmethod
    def read(cls, path: Path) -> LockFile:
        """Read `path` as text (size, binary and encoding checks included)."""
        return cls(path, read_text(path))

    @property
    def is_blank(self) -> bool:
        """An empty or whitespace-only file: a lock of nothing, not an error."""
        return not self.text.strip()

    def toml(self) -> dict[str, Any]:
        """The document as TOML (`path:line: invalid TOML: …` otherwise)."""
        return load_toml(self.path, self.text)

    def json(self) -> Any:
        """The document as JSON (`path:line: invalid JSON: …` otherwise)."""
        return load_json(self.path, self.text)

    def problem(self, context: str, message: str, line: int | None = None) -> None:
        """Record what is wrong with the entry at `context`; raised together by `manifest`."""
        self._failed.add(context)
        self.problems.add(f"{context}: {message}", line)

    def warn(self, message: str, line: int | None = None) -> None:
        """Record something the user should know that does not stop the file being read."""
        self.warnings.append(f"{Location(self.path, line)}: {message}")

    def tables(self, doc: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        """(context, table) for each table of the array `key`; other items are problems."""
        items = doc.get(key, [])
        if not isinstance(items, list):
            self.problem(key, "expected an array of tables")
            return []
        found = []
        for index, item in enumerate(items):
            context = f"{key}[{index}]"
            if isinstance(item, dict):
                found.append((context, item))
            else:
                self.problem(context, "expected a table")
        return found

    def packages(self, doc: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any], int | None]]:
        """(context, table, line of its name) for each table of the array `key`."""
        found = self.tables(doc, key)
        lines = self.name_lines(key, [text_or_none(table.get("name")) for _, table in found])
        return [(context, table, line) for (context, table), line in zip(found, lines, strict=True)]

    def string(self, table: dict[str, Any], key: str, context: str, line: int | None) -> str | None:
        """`table[key]` if it is a string, None if absent; another type is a problem."""
        value = table.get(key)
        if value is None or isinstance(value, str):
            return value
        self.problem(f"{context}.{key}", f"expected a string, got {_type_name(value)}", line)
        self._failed.add(context)
        return None

    def name(self, table: dict[str, Any], context: str, line: int | None) -> str | None:
        """The entry's `name`; a missing or non-string name is a problem."""
        name = self.string(table, "name", context, line)
        if name is None and "name" not in table:
            self.problem(context, "missing name", line)
        return name

    def name_lines(self, header: str, names: list[str | None]) -> list[int | None]:
        """The line of each `[[header]]` table's `name = …` key, tables in document order.

        tomllib keeps no positions. When the headers can be paired one-to-one with the tables, the
        name is looked for inside its own table, so a `name =` in a multi-line string, a comment or a
        sub-table is never taken for it; otherwise (inline arrays of tables) the names are looked for
        in order from the top, and a name that cannot be found has no line.
        """
        lines = self.text.splitlines()
        headers = header_lines(self.text, header)
        if len(headers) == len(names):
            ends = [*headers[1:], len(lines) + 1][: len(headers)]
            return [
                _find_name(lines, name, start, end) or start
                for name, start, end in zip(names, headers, ends, strict=True)
            ]
        found: list[int | None] = []
        cursor = 1
        for name in names:
            line = _find_name(lines, name, cursor, len(lines) + 1)
            found.append(line)
            cursor = line + 1 if line is not None else cursor
        return found

    def key_line(self, key: str) -> int | None:
        """The line of the first top-level `key = …` (for messages about document-level keys)."""
        pattern = re.compile(rf"^{re.escape(key)}\s*=")
        return next(
            (number for number, line in enumerate(self.text.splitlines(), start=1) if pattern.match(line)),
            None,
        )

    def marker(self, text: str | None, line: int | None) -> Marker | None:
        """`text` as a marker; one that does not parse is dropped with a warning, never fatal."""
        if text is None:
            return None
        try:
            return _parse_marker(text)
        except InvalidMarker as e:
            reason = str(e).splitlines()[0]
            self.warn(f"ignoring invalid marker {text!r}: {reason}", line)
            return None

    def specifier(self, text: str | None, key: str | None = None) -> SpecifierSet | None:
        """A Python version constraint (from the top-level `key`, for the warning's line); one that
        does not parse is dropped with a warning."""
        if text is None or not text.strip():
            return None
        try:
            return SpecifierSet(text)
        except InvalidSpecifier:
            self.warn(f"ignoring invalid python constraint {text!r}", self.key_line(key) if key else None)
            return None

    def dependency(self, entry: Entry) -> Dependency | None:
        """The dependency `entry` stands for, or None (with a problem recorded) if it is invalid."""
        if entry.context in self._failed:
            return None
        if not _PROJECT_NAME.match(entry.name):
            self.problem(f"{entry.context}.name", f"invalid project name {entry.name!r}", entry.line)
            return None
        version = None
        if entry.version is not None:
            try:
                version = Version(entry.version)
            except InvalidVersion:
                self.problem(f"{entry.context}.version", f"invalid version {entry.version!r}", entry.line)
                return None
        common: dict[str, Any] = {
            "name": normalize(entry.name),
            "display_name": entry.name,
            "location": Location(self.path, entry.line),
            "direct": entry.direct,
            "scopes": merge_scopes(entry.scopes),
            "marker": self.marker(entry.marker, entry.line),
            "extras": tuple(sorted(set(entry.extras))),
            "hashes": tuple(dict.fromkeys(entry.hashes)),
        }
        source = entry.source
        if source is not None:
            return DirectReference(
                kind=source.kind, url=source.url, version=version, commit=source.commit, **common
            )
        if version is None:
            self.problem(entry.context, "missing version", entry.line)
            return None
        return PinnedDependency(version=version, **common)

    def manifest(
        self,
        kind: str,
        dependencies: list[Dependency],
        python_requires: SpecifierSet | None = None,
        edges: Iterable[tuple[str | None, str]] = (),
    ) -> Manifest:
        """The finished manifest, or every problem found in the file raised at once.

        `edges` are (parent, child) names as the file writes them, parent None for the project.
        """
        self.problems.raise_if_any()
        return Manifest(
            path=self.path,
            kind=kind,
            dependencies=tuple(dependencies),
            is_lock=True,
            python_requires=python_requires,
            warnings=tuple(self.warnings),
            edges=_graph(edges),
        )


def _graph(pairs: Iterable[tuple[str | None, str]]) -> tuple[Edge, ...]:
    """(parent, child) names as normalised edges, each once in the order first seen.

    A name that is not a project name (a malformed entry) and a package depending on itself (PDM
    writes one table per extras set, each depending on the plain package) carry no edge.
    """
    found: dict[Edge, None] = {}
    for parent, child in pairs:
        if not _PROJECT_NAME.match(child) or (parent is not None and not _PROJECT_NAME.match(parent)):
            continue
        pair = (normalize(parent) if parent is not None else None, normalize(child))
        if pair[0] != pair[1]:
            found[pair] = None
    return tuple(found)


def hashes_of(artifacts: Any, key: str = "hash") -> tuple[str, ...]:
    """`algo:hex` strings from a list of artifact tables (`{file = …, hash = "sha256:…"}`)."""
    if isinstance(artifacts, dict):
        artifacts = [artifacts]
    if not isinstance(artifacts, list):
        return ()
    return tuple(
        artifact[key]
        for artifact in artifacts
        if isinstance(artifact, dict) and isinstance(artifact.get(key), str) and ":" in artifact[key]
    )


def strings(value: Any) -> tuple[str, ...]:
    """The strings of a JSON/TOML array (extras, groups); anything else in it is ignored."""
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def text_or_none(value: Any) -> str | None:
    """`value` if it is a string."""
    return value if isinstance(value, str) else None


def _find_name(lines: list[str], name: str | None, start: int, end: int) -> int | None:
    """The first line in [start, end) (1-based) that is `name = "<name>"`."""
    if name is None:
        return None
    for number in range(start, min(end, len(lines) + 1)):
        match = _NAME_LINE.match(lines[number - 1])
        if match and (match.group(1) if match.group(1) is not None else match.group(2)) == name:
            return number
    return None


def _type_name(value: object) -> str:
    """TOML/JSON names for Python types, for messages."""
    names = {bool: "a boolean", int: "a number", float: "a number", list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)
