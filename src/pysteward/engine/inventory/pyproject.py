"""`pyproject.toml`: PEP 621 `[project]`, PEP 735 `[dependency-groups]` and Poetry's tables.

Scopes: `main` for `project.dependencies`, the extra's name for `project.optional-dependencies`, the
group's name for dependency groups and Poetry groups, `dev` for Poetry's legacy `dev-dependencies`,
and `optional` for Poetry dependencies marked `optional = true`.

tomllib keeps no positions, so each requirement's line is found by searching the text of the table
that holds it (osv-scalibr reports no line; a line is more useful in SARIF and terminal output).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from pysteward.engine.inventory._files import load_toml, read_text
from pysteward.engine.inventory._locate import TextCursor, toml_table_spans
from pysteward.engine.inventory._poetry import poetry_dependency, poetry_python_specifier
from pysteward.engine.inventory._problems import Problems
from pysteward.engine.inventory._requirement import dependency_from_requirement, parse_requirement
from pysteward.engine.inventory.interface import Parser
from pysteward.engine.model import MAIN_SCOPE, Dependency, Location, Manifest, normalize

__all__ = ["PyprojectParser"]


def _find_string(cursor: TextCursor, value: str) -> int | None:
    """The line of a TOML string: as written, or with a basic string's escapes (`\\"`, `\\\\`)."""
    return cursor.find(value) or cursor.find(json.dumps(value, ensure_ascii=False)[1:-1])


class _Reader:
    """State shared while reading one file: dependencies, warnings, problems and search cursors."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.problems = Problems(path)
        self.warnings: list[str] = []
        self.dependencies: list[Dependency] = []
        self._cursors: dict[str, TextCursor] = {}

    def cursor(self, table: str) -> TextCursor:
        """The shared cursor over `table`'s text (created on first use)."""
        if table not in self._cursors:
            self._cursors[table] = TextCursor(self.text, toml_table_spans(self.text, table))
        return self._cursors[table]

    def key_line(self, table: str, key: str) -> int | None:
        """The line of `key =` in `table`, without moving the shared cursor."""
        return TextCursor(self.text, toml_table_spans(self.text, table)).find_key(key)

    def requirements(self, entries: object, table: str, key: str, scopes: tuple[str, ...]) -> None:
        """Read `table.key`, an array of PEP 508 strings."""
        cursor = self.cursor(table)
        line = cursor.find_key(key)
        if not isinstance(entries, list):
            self.problems.add(f"{table}.{key} must be an array of requirement strings", line)
            return
        for index, entry in enumerate(entries):
            if not isinstance(entry, str):
                self.problems.add(f"{table}.{key}[{index}] must be a requirement string", line)
                continue
            self.requirement(entry, _find_string(cursor, entry), scopes)

    def requirement(self, entry: str, line: int | None, scopes: tuple[str, ...]) -> None:
        """Add one PEP 508 requirement, recording a problem if it is invalid."""
        where = Location(self.path, line)
        with self.problems.collecting():
            requirement = parse_requirement(entry, where)
            self.dependencies.append(
                dependency_from_requirement(requirement, where, text=entry, scopes=scopes)
            )

    def specifier(self, text: object, line: int | None, what: str) -> SpecifierSet | None:
        """A version specifier, recording a problem if it is invalid."""
        try:
            return SpecifierSet(str(text)) if isinstance(text, str) else None
        except InvalidSpecifier:
            self.problems.add(f"invalid {what} {text!r}", line)
            return None


def _read_project(reader: _Reader, project: object) -> bool:
    """Read `[project]`; True when it lists its dependencies statically."""
    if not isinstance(project, dict):
        reader.problems.add("[project] must be a table", reader.key_line("", "project"))
        return False
    dynamic = project.get("dynamic", [])
    dynamic = dynamic if isinstance(dynamic, list) else []
    static = "dependencies" not in dynamic and "dependencies" in project
    if static:
        reader.requirements(project["dependencies"], "project", "dependencies", (MAIN_SCOPE,))
    extras = project.get("optional-dependencies", {})
    if not isinstance(extras, dict):
        reader.problems.add(
            "project.optional-dependencies must be a table",
            reader.key_line("project", "optional-dependencies"),
        )
        extras = {}
    for extra, entries in extras.items():
        reader.requirements(entries, "project.optional-dependencies", extra, (extra,))
    return static


def _dynamic_warning(reader: _Reader, project: object) -> None:
    if isinstance(project, dict) and "dependencies" in (project.get("dynamic") or []):
        reader.warnings.append(
            f"{reader.path}: dependencies are dynamic (computed by the build backend), so none are listed"
        )


def _python_requires(reader: _Reader, data: dict[str, Any]) -> SpecifierSet | None:
    project = data.get("project")
    if isinstance(project, dict) and "requires-python" in project:
        line = reader.key_line("project", "requires-python")
        return reader.specifier(project["requires-python"], line, "requires-python")
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(dependencies, dict) and "python" in dependencies:
        where = Location(reader.path, reader.key_line("tool.poetry.dependencies", "python"))
        with reader.problems.collecting():
            return poetry_python_specifier(dependencies["python"], where)
    return None


def _group_reach(
    reader: _Reader, groups: dict[str, Any], name: str, stack: tuple[str, ...], done: dict[str, set[str]]
) -> set[str]:
    """The groups whose requirements `name` contains (itself and every group it includes)."""
    if name in done:
        return done[name]
    reach = {name}
    by_key = {normalize(group): group for group in groups}
    entries = groups[name] if isinstance(groups[name], list) else []
    for entry in entries:
        if not (isinstance(entry, dict) and "include-group" in entry):
            continue
        target = by_key.get(normalize(str(entry["include-group"])))
        line = reader.key_line("dependency-groups", name)
        if target is None:
            reader.problems.add(
                f"dependency group {name!r} includes unknown group {entry['include-group']!r}", line
            )
        elif target in (*stack, name):
            chain = (*stack, name)
            cycle = " -> ".join([*chain[chain.index(target) :], target])
            reader.problems.add(f"dependency groups include each other in a cycle: {cycle}", line)
        else:
            reach |= _group_reach(reader, groups, target, (*stack, name), done)
    done[name] = reach
    return reach


def _read_groups(reader: _Reader, groups: object) -> None:
    """Read PEP 735 `[dependency-groups]`; an included group's requirements carry both scopes."""
    if not isinstance(groups, dict):
        reader.problems.add("[dependency-groups] must be a table", reader.key_line("", "dependency-groups"))
        return
    done: dict[str, set[str]] = {}
    reaches = {name: _group_reach(reader, groups, name, (), done) for name in groups}
    cursor = reader.cursor("dependency-groups")
    for name, entries in groups.items():
        line = cursor.find_key(name)
        if not isinstance(entries, list):
            reader.problems.add(f"dependency group {name!r} must be an array", line)
            continue
        scopes = tuple(sorted(group for group, reach in reaches.items() if name in reach))
        for entry in entries:
            if isinstance(entry, str):
                reader.requirement(entry, _find_string(cursor, entry), scopes)
            elif not (isinstance(entry, dict) and set(entry) == {"include-group"}):
                reader.problems.add(
                    f"dependency group {name!r} has an entry that is neither a string "
                    "nor {include-group = ...}",
                    line,
                )


def _poetry_table(reader: _Reader, table: str, entries: object, scopes: tuple[str, ...]) -> None:
    if not isinstance(entries, dict):
        reader.problems.add(f"[{table}] must be a table", None)
        return
    cursor = reader.cursor(table)
    for name, value in entries.items():
        where = Location(reader.path, cursor.find_key(name))
        if normalize(name) == "python":
            continue
        with reader.problems.collecting():
            reader.dependencies.append(poetry_dependency(name, value, where, scopes))


def _read_poetry(reader: _Reader, poetry: dict[str, Any], project_lists_dependencies: bool) -> bool:
    """Read Poetry's tables; True when `[tool.poetry.dependencies]` supplied the main dependencies.

    With Poetry 2, a static `project.dependencies` is the source of truth and
    `[tool.poetry.dependencies]` only adds detail to it, so it is then not read again.
    """
    supplied = False
    if "dependencies" in poetry and not project_lists_dependencies:
        _poetry_table(reader, "tool.poetry.dependencies", poetry["dependencies"], (MAIN_SCOPE,))
        supplied = True
    if "dev-dependencies" in poetry:
        _poetry_table(reader, "tool.poetry.dev-dependencies", poetry["dev-dependencies"], ("dev",))
    groups = poetry.get("group", {})
    for group, body in groups.items() if isinstance(groups, dict) else ():
        if isinstance(body, dict) and "dependencies" in body:
            table = f"tool.poetry.group.{group}.dependencies"
            _poetry_table(reader, table, body["dependencies"], (group,))
    return supplied


class PyprojectParser(Parser):
    """Reads the dependencies a `pyproject.toml` declares (not a lock: versions are constraints)."""

    kind: ClassVar[str] = "pyproject.toml"
    patterns: ClassVar[tuple[str, ...]] = ("pyproject.toml",)

    def parse(self, path: Path) -> Manifest:
        """Read `path`; raise `InventoryError` or `InputErrors` for invalid TOML or requirements."""
        text = read_text(path)
        data = load_toml(path, text)
        reader = _Reader(path, text)
        project = data.get("project")
        static = _read_project(reader, project) if project is not None else False
        tool = data.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        from_poetry = _read_poetry(reader, poetry, static) if isinstance(poetry, dict) else False
        if not from_poetry:
            _dynamic_warning(reader, project)
        if "dependency-groups" in data:
            _read_groups(reader, data["dependency-groups"])
        python_requires = _python_requires(reader, data)
        reader.problems.raise_if_any()
        return Manifest(
            path=path,
            kind=self.kind,
            dependencies=tuple(reader.dependencies),
            python_requires=python_requires,
            warnings=tuple(reader.warnings),
        )
