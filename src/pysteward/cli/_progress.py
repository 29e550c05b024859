"""A Rich progress observer for long engine tasks (downloads, imports); silent when not a terminal."""

from __future__ import annotations

from typing import Any

from pysteward.engine.observer import Observer


class RichObserver(Observer):
    """Draws one progress bar per task on stderr, and prints warnings there."""

    def __init__(self, *, quiet: bool = False) -> None:
        from rich.console import Console

        self._console = Console(stderr=True, highlight=False)
        self._quiet = quiet or not self._console.is_terminal
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def start(self, task: str, total: int | None = None) -> None:
        if self._quiet:
            return
        if self._progress is None:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            columns = [TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn()]
            if task.startswith("download"):
                columns.insert(2, DownloadColumn())
            self._progress = Progress(*columns, console=self._console, transient=True)
            self._progress.start()
        self._tasks[task] = self._progress.add_task(task, total=total)

    def advance(self, task: str, steps: int = 1) -> None:
        if self._progress is not None and task in self._tasks:
            self._progress.advance(self._tasks[task], steps)

    def finish(self, task: str) -> None:
        if self._progress is not None and task in self._tasks:
            self._progress.remove_task(self._tasks.pop(task))
            if not self._tasks:
                self._progress.stop()
                self._progress = None

    def warn(self, message: str) -> None:
        from rich.markup import escape

        self._console.print(f"[yellow]warning:[/yellow] {escape(message)}")
