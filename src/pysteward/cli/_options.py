"""Options shared by several commands."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

DatabaseOption = Annotated[
    Path | None,
    typer.Option(
        "--database",
        envvar="STEWARD_DATABASE",
        help="Advisory database file [default: advisories.sqlite3 in the data directory, STEWARD_DATA_DIR].",
        dir_okay=False,
    ),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", envvar="STEWARD_VERBOSE", help="Show tracebacks for errors.")
]


def parse_date(value: str | None) -> date | None:
    """`--date` values: ISO dates only, with a clear message otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date such as 2026-11-22") from None


def database_path(option: Path | None) -> Path:
    """The advisory database to use: the option, else the default in the data directory."""
    if option is not None:
        return option
    from pysteward.engine.advisories import default_db_path

    return default_db_path()
