"""uv's `uv.lock`: every package of the workspace's universal resolution.

The workspace's own members (the root project, `virtual` and `editable = "."` packages and the names in
`[manifest] members`) are the project, not its dependencies. The lock records the dependency graph, so
Steward derives what a flat list cannot give: which packages the project names itself (`direct`),
which extras or dependency groups pull a package in (`scopes`, propagated through the graph), and the
markers under which a package is needed at all (the OR of the markers on the edges into it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from pysteward.engine.inventory._lockfiles import (
    Entry,
    LockFile,
    Source,
    hashes_of,
    or_markers,
    strings,
    text_or_none,
)
from pysteward.engine.inventory.interface import Parser
from pysteward.engine.model import MAIN_SCOPE, Dependency, Manifest, SourceKind, normalize

__all__ = ["UvLockParser"]

_DIRECT_SOURCES = (
    ("url", SourceKind.URL),
    ("path", SourceKind.PATH),
    ("directory", SourceKind.PATH),
    ("editable", SourceKind.EDITABLE),
)


class UvLockParser(Parser):
    """Reads `uv.lock`."""

    kind: ClassVar[str] = "uv.lock"
    patterns: ClassVar[tuple[str, ...]] = ("uv.lock",)
    is_lock: ClassVar[bool] = True

    def parse(self, path: Path) -> Manifest:
        """Every locked package except the workspace's own members."""
        lock = LockFile.read(path)
        if lock.is_blank:
            return lock.manifest(self.kind, [])
        doc = lock.toml()
        found = lock.tables(doc, "package")
        tables = [table for _, table in found]
        lines = lock.name_lines("package", [_name(table) for table in tables])
        members = _members(doc, tables)
        graph = _Graph(tables, members)
        dependencies: list[Dependency] = []
        for index, ((context, table), line) in enumerate(zip(found, lines, strict=True)):
            if index in members:
                continue
            entry = _entry(lock, context, table, line, graph.facts(index))
            dependency = lock.dependency(entry) if entry else None
            if dependency is not None:
                dependencies.append(dependency)
        python = lock.specifier(text_or_none(doc.get("requires-python")), "requires-python")
        return lock.manifest(self.kind, dependencies, python, _graph_edges(tables, members))


def _name(table: dict[str, Any]) -> str | None:
    return text_or_none(table.get("name"))


def _entry(
    lock: LockFile,
    context: str,
    table: dict[str, Any],
    line: int | None,
    facts: tuple[tuple[str, ...], bool | None, str | None],
) -> Entry | None:
    name = lock.name(table, context, line)
    version = lock.string(table, "version", context, line)
    if name is None:
        return None
    scopes, direct, marker = facts
    hashes = hashes_of(table.get("sdist")) + hashes_of(table.get("wheels"))
    return Entry(
        context=context,
        name=name,
        line=line,
        version=version,
        source=_source(table.get("source")),
        scopes=scopes,
        direct=direct,
        marker=marker,
        hashes=hashes,
    )


def _source(source: Any) -> Source | None:
    """None for a registry (or an older lock without sources); the reference otherwise."""
    if not isinstance(source, dict) or "registry" in source:
        return None
    git = source.get("git")
    if isinstance(git, str):
        # uv writes the resolved commit as the URL fragment: `https://…/repo?rev=main#<commit>`.
        url, _, commit = git.partition("#")
        return Source(SourceKind.VCS, url, commit or None)
    for key, kind in _DIRECT_SOURCES:
        value = source.get(key)
        if isinstance(value, str):
            return Source(kind, value)
    return None


def _members(doc: dict[str, Any], tables: list[dict[str, Any]]) -> set[int]:
    """Indexes of the workspace's own packages."""
    manifest = doc.get("manifest")
    listed = strings(manifest.get("members")) if isinstance(manifest, dict) else ()
    names = {normalize(name) for name in listed}
    members = set()
    for index, table in enumerate(tables):
        source = table.get("source")
        source = source if isinstance(source, dict) else {}
        name = _name(table)
        if (
            "virtual" in source
            or source.get("editable") == "."
            or (name is not None and normalize(name) in names and "registry" not in source)
        ):
            members.add(index)
    return members


def _edge_list(value: Any) -> list[dict[str, Any]]:
    """The well-formed edges of one dependency array (malformed ones carry no usable facts)."""
    if not isinstance(value, list):
        return []
    return [edge for edge in value if isinstance(edge, dict) and isinstance(edge.get("name"), str)]


def _edges(table: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(scope, edge) for every edge out of a package: main, then each extra and dependency group."""
    for edge in _edge_list(table.get("dependencies")):
        yield MAIN_SCOPE, edge
    for key in ("optional-dependencies", "dev-dependencies"):
        groups = table.get(key)
        if isinstance(groups, dict):
            for group, edges in groups.items():
                for edge in _edge_list(edges):
                    yield group, edge


def _graph_edges(tables: list[dict[str, Any]], members: set[int]) -> Iterator[tuple[str | None, str]]:
    """(parent, child) for every edge of the lock; a workspace member is the project (parent None),
    and an edge into a member stays inside the project, so it is not a dependency edge."""
    member_names = {normalize(_name(tables[index]) or "") for index in members}
    for index, table in enumerate(tables):
        parent = None if index in members else (_name(table) or "")
        for _, edge in _edges(table):
            if normalize(edge["name"]) not in member_names:
                yield parent, edge["name"]


def _extras(edge: dict[str, Any]) -> frozenset[str]:
    return frozenset(strings(edge.get("extra")))


class _Graph:
    """The lock's dependency graph, walked once from the workspace members."""

    def __init__(self, tables: list[dict[str, Any]], members: set[int]) -> None:
        self.tables = tables
        self.by_name: dict[str, list[int]] = {}
        for index, table in enumerate(tables):
            name = _name(table)
            if name is not None:
                self.by_name.setdefault(normalize(name), []).append(index)
        self.has_root = bool(members)
        self.direct: set[int] = set()
        self.reached: dict[int, set[str]] = {}
        seen: set[tuple[str, int, frozenset[str]]] = set()
        for member in sorted(members):
            for scope, edge in _edges(tables[member]):
                self.direct.update(self.targets(edge))
                self._walk(scope, edge, seen)
        self.incoming: dict[int, list[str | None]] = {}
        for table in tables:
            for _, edge in _edges(table):
                marker = edge.get("marker")
                for target in self.targets(edge):
                    self.incoming.setdefault(target, []).append(marker if isinstance(marker, str) else None)

    def targets(self, edge: dict[str, Any]) -> list[int]:
        """The packages an edge points at; `version` and `source` pick one of several same-name ones."""
        candidates = self.by_name.get(normalize(edge["name"]), [])
        for key in ("version", "source"):
            if key in edge:
                narrowed = [index for index in candidates if self.tables[index].get(key) == edge[key]]
                candidates = narrowed or candidates
        return candidates

    def _walk(self, scope: str, first: dict[str, Any], seen: set[tuple[str, int, frozenset[str]]]) -> None:
        stack = [first]
        while stack:
            edge = stack.pop()
            extras = _extras(edge)
            for target in self.targets(edge):
                if (scope, target, extras) in seen:
                    continue
                seen.add((scope, target, extras))
                self.reached.setdefault(target, set()).add(scope)
                table = self.tables[target]
                stack.extend(_edge_list(table.get("dependencies")))
                optional = table.get("optional-dependencies")
                if isinstance(optional, dict):
                    for extra in sorted(extras):
                        stack.extend(_edge_list(optional.get(extra)))

    def facts(self, index: int) -> tuple[tuple[str, ...], bool | None, str | None]:
        """(scopes, direct, marker) of one package."""
        scopes = tuple(sorted(self.reached.get(index, {MAIN_SCOPE})))
        direct = (index in self.direct) if self.has_root else None
        return scopes, direct, or_markers(self.incoming.get(index, []))
