"""Progress reporting without a terminal dependency (STYLE 24).

The engine calls an `Observer`; the CLI supplies one that draws Rich progress bars.
"""

from __future__ import annotations

__all__ = ["NullObserver", "Observer"]


class Observer:
    """Receives progress; the default methods do nothing, so subclasses override what they show."""

    def start(self, task: str, total: int | None = None) -> None:
        """A task begins; `total` is its size in steps (bytes, records, files) when known."""

    def advance(self, task: str, steps: int = 1) -> None:
        """`steps` more units of `task` are done."""

    def finish(self, task: str) -> None:
        """`task` is done."""

    def warn(self, message: str) -> None:
        """Something the user should know about but that does not stop the run."""


class NullObserver(Observer):
    """An observer that ignores everything (the default for library use and tests)."""
