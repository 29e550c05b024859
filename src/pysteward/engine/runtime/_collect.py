"""Shared plumbing for the detection sources: collecting declarations and warnings, reading files, YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet

from pysteward.engine.inventory._files import read_text
from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.model import Location
from pysteward.engine.runtime._model import (
    DeclarationKind,
    RangeDeclaration,
    RuntimeDeclaration,
    VersionDeclaration,
    parse_python_version,
)

MAX_BYTES = 4 * 1024 * 1024
"""Largest file read for runtime detection; configuration files are a few KB."""


@dataclass
class Collector:
    """Accumulates what the sources find; every problem becomes a warning, never an exception."""

    declarations: list[RuntimeDeclaration] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _seen: set[tuple[str, str, str]] = field(default_factory=set)

    def warn(self, path: Path, line: int | None, message: str) -> None:
        """Record `path:line: message`."""
        self.warnings.append(f"{Location(path, line)}: {message}")

    def read(self, path: Path) -> str | None:
        """The file's text, or None (with a warning) when it is too large, binary or unreadable."""
        try:
            if path.stat().st_size > MAX_BYTES:
                self.warn(path, None, f"skipped: larger than {MAX_BYTES // 1_048_576} MiB")
                return None
            return read_text(path)
        except InventoryError as e:
            self.warn(path, e.line, e.message)
        except OSError as e:
            self.warn(path, None, f"cannot read: {e.strerror or e}")
        return None

    def add(self, declaration: RuntimeDeclaration) -> None:
        """Keep `declaration` unless the same text at the same place was already recorded."""
        key = (declaration.kind.value, str(declaration.location), declaration.text)
        if key not in self._seen:
            self._seen.add(key)
            self.declarations.append(declaration)

    def add_token(
        self, kind: DeclarationKind, text: str, path: Path, line: int | None, *, token: str | None = None
    ) -> bool:
        """Record `token` (default `text`) as a Python version; warn and return False if it is none."""
        parsed = parse_python_version(text if token is None else token)
        if parsed is None:
            self.warn(path, line, f"not a python version: {text.strip()!r}")
            return False
        implementation, value = parsed
        location = Location(path, line)
        if isinstance(value, SpecifierSet):
            self.add(RangeDeclaration(kind=kind, text=text, location=location, specifier=value))
        else:
            self.add(
                VersionDeclaration(
                    kind=kind, text=text, location=location, version=value, implementation=implementation
                )
            )
        return True

    def add_range(
        self, kind: DeclarationKind, text: str, path: Path, line: int | None, spec: SpecifierSet | None
    ) -> None:
        """Record a specifier, or warn that `text` is not one."""
        if spec is None:
            self.warn(path, line, f"not a python version specifier: {text.strip()!r}")
            return
        self.add(RangeDeclaration(kind=kind, text=text, location=Location(path, line), specifier=spec))


def find_line(lines: list[str], pattern: str, start: int = 0) -> int | None:
    """The 1-based number of the first line at or after index `start` matching regex `pattern`."""
    regex = re.compile(pattern)
    for index in range(start, len(lines)):
        if regex.search(lines[index]):
            return index + 1
    return None


def load_yaml(collector: Collector, path: Path) -> yaml.Node | None:
    """The YAML node tree of a file (scalars stay text, so `3.10` is not the float 3.1), or None."""
    text = collector.read(path)
    if text is None:
        return None
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or "syntax error"
        collector.warn(path, line, f"invalid YAML: {problem}")
        return None


def mapping(node: yaml.Node | None, _depth: int = 0) -> dict[str, yaml.Node]:
    """A mapping node's entries by key text, with YAML merge keys (`<<: *anchor`) applied; else empty."""
    # The depth limit stops a recursive anchor from merging into itself forever.
    if not isinstance(node, yaml.MappingNode) or _depth > 8:
        return {}
    result: dict[str, yaml.Node] = {}
    own: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "<<":
            merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for item in merged:
                for k, v in mapping(item, _depth + 1).items():
                    result.setdefault(k, v)
        else:
            own[key.value] = value
    result.update(own)
    return result


def items(node: yaml.Node | None) -> list[yaml.Node]:
    """A sequence node's items, a single node as a one-item list, or nothing."""
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return [] if node is None else [node]


def scalars(node: yaml.Node | None) -> list[yaml.ScalarNode]:
    """The scalar items of a node (itself, or those of a sequence)."""
    return [item for item in items(node) if isinstance(item, yaml.ScalarNode)]


def line_of(node: yaml.Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def scalar_lines(node: yaml.ScalarNode) -> list[tuple[int, str]]:
    """Each non-empty line of a scalar with its file line (block scalars `|` start one line down)."""
    first = line_of(node) + (1 if node.style in ("|", ">") else 0)
    return [
        (first + offset, text.strip())
        for offset, text in enumerate(str(node.value).splitlines())
        if text.strip()
    ]
