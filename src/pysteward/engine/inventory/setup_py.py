"""`setup.py`, read statically with `ast`: the file is never executed or imported.

Only what is written literally is read: `install_requires=`, `extras_require=` and `python_requires=`
of each `setup(...)`, `setuptools.setup(...)` or `distutils.core.setup(...)` call, given as literal
lists, tuples, dicts or strings, or as a name bound to such a literal at module level (one level is
followed). Computed entries (f-strings, `'%s==1' % x`, `.format()`) are skipped with a warning,
because guessing their value would report packages the project may not use.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import ClassVar

from packaging.markers import InvalidMarker
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from pysteward.engine.inventory._files import read_text
from pysteward.engine.inventory._problems import Problems
from pysteward.engine.inventory._requirement import dependency_from_requirement, parse_requirement
from pysteward.engine.inventory._setuptools import extra_scope, with_marker, yield_lines
from pysteward.engine.inventory.interface import InventoryError, Parser
from pysteward.engine.model import MAIN_SCOPE, Dependency, Location, Manifest

__all__ = ["SetupPyParser"]

_SETUP_MODULES = ("setuptools", "distutils.core")


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _is_setup(call: ast.Call) -> bool:
    name = _dotted(call.func)
    return name == "setup" or any(name == f"{module}.setup" for module in _SETUP_MODULES)


def _bindings(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level `NAME = value` assignments (the last one wins, as at run time)."""
    bound: dict[str, ast.expr] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = statement.value
        elif (
            isinstance(statement, ast.AnnAssign)
            and statement.value is not None
            and isinstance(statement.target, ast.Name)
        ):
            bound[statement.target.id] = statement.value
    return bound


def _source(node: ast.expr) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


class _Reader:
    def __init__(self, path: Path, tree: ast.Module) -> None:
        self.path = path
        self.bindings = _bindings(tree)
        self.problems = Problems(path)
        self.warnings: list[str] = []
        self.dependencies: list[Dependency] = []
        self.python_requires: SpecifierSet | None = None

    def warn(self, node: ast.AST, message: str) -> None:
        """Record a warning at `node`'s line."""
        self.warnings.append(f"{self.path}:{getattr(node, 'lineno', '?')}: {message}")

    def resolve(self, node: ast.expr) -> ast.expr:
        """A name bound at module level stands for its value; one level only."""
        if isinstance(node, ast.Name) and node.id in self.bindings:
            return self.bindings[node.id]
        return node

    def requirements(self, node: ast.expr, scope: str, marker: str | None, what: str) -> None:
        """Read a literal list, tuple or string of requirements."""
        value = self.resolve(node)
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            self.string(value, scope, marker)
        elif isinstance(value, ast.List | ast.Tuple):
            for item in value.elts:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    self.string(item, scope, marker)
                else:
                    self.warn(
                        item, f"skipped a requirement in {what} that is not a string literal: {_source(item)}"
                    )
        else:
            self.warn(
                node, f"{what} is not a literal list, so its requirements are not read: {_source(node)}"
            )

    def string(self, node: ast.Constant, scope: str, marker: str | None) -> None:
        """Each line of a string literal is one requirement."""
        text = str(node.value)
        for index, entry in yield_lines(text):
            # A triple-quoted string starts on its first line; a one-line string has no offset.
            where = Location(self.path, node.lineno + index if "\n" in text else node.lineno)
            with self.problems.collecting():
                requirement = parse_requirement(entry, where)
                try:
                    requirement = with_marker(requirement, marker)
                except InvalidMarker:
                    raise InventoryError(
                        f"invalid marker {marker!r} in extra {scope!r}", path=where.path, line=where.line
                    ) from None
                self.dependencies.append(
                    dependency_from_requirement(requirement, where, text=entry, scopes=(scope,))
                )

    def extras(self, node: ast.expr) -> None:
        """Read a literal `extras_require` dict."""
        value = self.resolve(node)
        if not isinstance(value, ast.Dict):
            self.warn(node, f"extras_require is not a literal dict, so it is not read: {_source(node)}")
            return
        for key, item in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                scope, marker = extra_scope(key.value)
                self.requirements(item, scope, marker, f"extras_require[{key.value!r}]")
            else:
                self.warn(item, "skipped an extras_require entry whose key is not a string literal")

    def python(self, node: ast.expr) -> None:
        """Read a literal `python_requires`."""
        value = self.resolve(node)
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            self.warn(node, f"python_requires is not a string literal: {_source(node)}")
            return
        try:
            self.python_requires = SpecifierSet(value.value)
        except InvalidSpecifier:
            self.problems.add(f"invalid python_requires {value.value!r}", value.lineno)

    def call(self, call: ast.Call) -> None:
        """Read the keywords of one `setup(...)` call."""
        for keyword in call.keywords:
            if keyword.arg == "install_requires":
                self.requirements(keyword.value, MAIN_SCOPE, None, "install_requires")
            elif keyword.arg == "extras_require":
                self.extras(keyword.value)
            elif keyword.arg == "python_requires":
                self.python(keyword.value)


def _parse(path: Path, text: str) -> ast.Module:
    try:
        return ast.parse(text, filename=str(path))
    except SyntaxError as e:
        reason = (e.msg or "syntax error").lower()
        raise InventoryError(
            f"not valid Python 3 syntax (Python 2?): {reason}", path=path, line=e.lineno
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise InventoryError("cannot be parsed as Python (too deeply nested or invalid)", path=path) from None


class SetupPyParser(Parser):
    """Reads the requirements a `setup.py` passes to `setup()`, without running it."""

    kind: ClassVar[str] = "setup.py"
    patterns: ClassVar[tuple[str, ...]] = ("setup.py",)

    def parse(self, path: Path) -> Manifest:
        """Read `path`; raise `InventoryError` for a syntax error or invalid requirement strings."""
        text = read_text(path)
        tree = _parse(path, text)
        reader = _Reader(path, tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_setup(node):
                reader.call(node)
        reader.problems.raise_if_any()
        return Manifest(
            path=path,
            kind=self.kind,
            dependencies=tuple(reader.dependencies),
            python_requires=reader.python_requires,
            warnings=tuple(reader.warnings),
        )
