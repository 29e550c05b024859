"""`setup.cfg`: setuptools' declarative `[options] install_requires` and `[options.extras_require]`.

Values follow setuptools' rule: a multi-line value holds one requirement per line, a single line is
split at `;`. `file:` directives are not followed (a warning says so). configparser keeps no
positions, so lines are found by searching each option's text.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import ClassVar

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from pysteward.engine.inventory._files import read_text
from pysteward.engine.inventory._locate import TextCursor
from pysteward.engine.inventory._problems import Problems
from pysteward.engine.inventory._requirement import dependency_from_requirement, parse_requirement
from pysteward.engine.inventory._setuptools import requirement_lines
from pysteward.engine.inventory.interface import InventoryError, Parser
from pysteward.engine.model import MAIN_SCOPE, Dependency, Location, Manifest

__all__ = ["SetupCfgParser"]

_SECTION = re.compile(r"^\[\s*(.+?)\s*\]")
_WHILE_READING = re.compile(r"^While reading from .*?\[line\s+\d+\]: ")


def _load(path: Path, text: str) -> configparser.ConfigParser:
    config = configparser.ConfigParser(interpolation=None)
    config.optionxform = str  # type: ignore[assignment, method-assign]  # keep extras' names as written
    try:
        config.read_string(text, source=str(path))
    except configparser.MissingSectionHeaderError as e:
        raise InventoryError(
            "invalid setup.cfg: a [section] header must come first", path=path, line=e.lineno
        ) from None
    except configparser.ParsingError as e:
        line = e.errors[0][0]
        content = text.splitlines()[line - 1]  # configparser keeps only the line's repr
        raise InventoryError(
            f"invalid setup.cfg: cannot read {content.strip()!r}", path=path, line=line
        ) from None
    except configparser.Error as e:
        reason = _WHILE_READING.sub("", str(e).splitlines()[0])
        lineno: int | None = getattr(e, "lineno", None)
        raise InventoryError(f"invalid setup.cfg: {reason.lower()}", path=path, line=lineno) from None
    return config


def _option_span(lines: list[str], section: str, key: str) -> tuple[int, int] | None:
    """0-based `[start, stop)` lines of `key`'s value in `section` (the key line and its continuation)."""
    current = None
    key_pattern = re.compile(rf"^{re.escape(key)}\s*[=:]", re.IGNORECASE)
    for number, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            current = match.group(1)
        elif current == section and key_pattern.match(line):
            stop = number + 1
            while stop < len(lines) and (not lines[stop].strip() or lines[stop][0] in " \t"):
                stop += 1
            return number, stop
    return None


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.text = text
        self.problems = Problems(path)
        self.warnings: list[str] = []
        self.dependencies: list[Dependency] = []

    def option(self, section: str, key: str, value: str, scope: str) -> None:
        """Read one option's requirements into `scope`."""
        span = _option_span(self.lines, section, key)
        cursor = TextCursor(self.text, [span] if span else [])
        if value.strip().startswith("file:"):
            line = span[0] + 1 if span else None
            self.warnings.append(
                f"{Location(self.path, line)}: {key} reads {value.strip()!r}; that file is not followed"
            )
            return
        for entry in requirement_lines(value):
            where = Location(self.path, cursor.find(entry))
            with self.problems.collecting():
                requirement = parse_requirement(entry, where)
                self.dependencies.append(
                    dependency_from_requirement(requirement, where, text=entry, scopes=(scope,))
                )


class SetupCfgParser(Parser):
    """Reads the requirements a `setup.cfg` declares for setuptools."""

    kind: ClassVar[str] = "setup.cfg"
    patterns: ClassVar[tuple[str, ...]] = ("setup.cfg",)

    def parse(self, path: Path) -> Manifest:
        """Read `path`; raise `InventoryError` or `InputErrors` for invalid INI or requirements."""
        text = read_text(path)
        config = _load(path, text)
        reader = _Reader(path, text)
        python_requires = None
        if config.has_section("options"):
            options = config["options"]
            if "install_requires" in options:
                reader.option("options", "install_requires", options["install_requires"], MAIN_SCOPE)
            python_requires = _python_requires(reader, options.get("python_requires"))
        if config.has_section("options.extras_require"):
            for key, value in config["options.extras_require"].items():
                reader.option("options.extras_require", key, value, key)
        reader.problems.raise_if_any()
        return Manifest(
            path=path,
            kind=self.kind,
            dependencies=tuple(reader.dependencies),
            python_requires=python_requires,
            warnings=tuple(reader.warnings),
        )


def _python_requires(reader: _Reader, value: str | None) -> SpecifierSet | None:
    if value is None:
        return None
    try:
        return SpecifierSet(value.strip())
    except InvalidSpecifier:
        span = _option_span(reader.lines, "options", "python_requires")
        reader.problems.add(f"invalid python_requires {value.strip()!r}", span[0] + 1 if span else None)
        return None
