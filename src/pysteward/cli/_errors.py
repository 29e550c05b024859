"""Errors end at the command (STYLE 22): one red line per problem, a hint, and the right exit code."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from pysteward.errors import InputErrors, StewardError

MAX_LINES = 50


def _say(line: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]error:[/red] {escape(line)}")


def _hint(text: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[dim]hint:[/dim] {escape(text)}")


@contextmanager
def command_errors(verbose: bool = False) -> Iterator[None]:
    """Turn Steward's errors into messages and exit codes; other exceptions are bugs (exit 3)."""
    try:
        yield
    except InputErrors as group:
        errors = group.leaves()
        for error in errors[:MAX_LINES]:
            _say(str(error))
        if len(errors) > MAX_LINES:
            _say(f"… and {len(errors) - MAX_LINES} more problems")
        raise typer.Exit(InputErrors.exit_code) from None
    except StewardError as error:
        if verbose:
            import traceback

            traceback.print_exc(file=sys.stderr)
        _say(str(error))
        if error.hint:
            _hint(error.hint)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        _say("interrupted")
        raise typer.Exit(130) from None
