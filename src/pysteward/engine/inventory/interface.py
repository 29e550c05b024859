"""The interface every manifest, lockfile and environment reader implements.

    InputError (pysteward.errors)
    └── InventoryError           a file cannot be read as the format it claims to be

A new format costs one class with one method, `parse`; `claims` has a default that matches the file
name against `patterns`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from fnmatch import fnmatch
from pathlib import Path
from typing import ClassVar

from pysteward.engine.model import Manifest
from pysteward.errors import InputError

__all__ = ["InventoryError", "Parser"]


class InventoryError(InputError):
    """A manifest, lockfile or metadata file that cannot be read; the message says `path:line: what`."""


class Parser(ABC):
    """Reads one kind of file into a `Manifest`."""

    kind: ClassVar[str]
    """Short name used in reports and `--format json` (`requirements`, `uv.lock`, …)."""
    patterns: ClassVar[tuple[str, ...]] = ()
    """Lower-case `fnmatch` patterns of the file names this parser reads when discovering projects."""
    is_lock: ClassVar[bool] = False

    def claims(self, path: Path) -> bool:
        """Whether discovery should hand `path` to this parser."""
        name = path.name.lower()
        return any(fnmatch(name, pattern) for pattern in self.patterns)

    @abstractmethod
    def parse(self, path: Path) -> Manifest:
        """Read `path`; raise `InventoryError` (or `InputErrors`) naming the file and line."""
