"""The `steward` command line (Typer). Heavy modules are imported inside commands so `--help` is quick."""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """Entry point of the `steward` console script."""
    from pysteward.cli.app import app

    app(prog_name="steward")
