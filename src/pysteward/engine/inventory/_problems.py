"""Collecting every problem in one file, so the user sees them all at once (STYLE 17)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pysteward.engine.inventory.interface import InventoryError
from pysteward.errors import InputErrors

__all__ = ["Problems"]


class Problems:
    """The `InventoryError`s found while reading one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[InventoryError] = []

    def add(self, message: str, line: int | None = None) -> None:
        """Record a problem at `line` of the file."""
        self.errors.append(InventoryError(message, path=self.path, line=line))

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """Run a block, recording an `InventoryError` it raises instead of stopping."""
        try:
            yield
        except InventoryError as e:
            self.errors.append(e)

    def raise_if_any(self) -> None:
        """Raise the one problem found, or `InputErrors` holding all of them."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InputErrors(f"{self.path}: {len(self.errors)} problems", list(self.errors))
