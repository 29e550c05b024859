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
        help="Advisory database file (default: advisories.sqlite3 in the data directory, STEWARD_DATA_DIR).",
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


# Inputs shared by every command that reads projects (assess, sbom, fix): one definition each.
PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(help="Directories to search for projects, or manifest/lockfile paths (default: .)."),
]
RequirementOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--requirement", "-r", envvar="STEWARD_REQUIREMENT", help="A requirements file to read (repeatable)."
    ),
]
EnvOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--env",
        envvar="STEWARD_ENV",
        help="A virtual environment, site-packages directory or Python interpreter (repeatable).",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="STEWARD_CONFIG",
        help="Configuration file (default: steward.toml, or the tool.steward table of "
        "pyproject.toml, in the first PATH).",
        dir_okay=False,
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        envvar="STEWARD_EXCLUDE",
        help="Skip paths matching this glob, relative to each PATH (repeatable; * and ** cross folders).",
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option("--date", envvar="STEWARD_DATE", help="Judge end-of-life and ignores as of this day."),
]
OfflineOption = Annotated[
    bool,
    typer.Option(
        "--offline",
        envvar="STEWARD_OFFLINE",
        help="Read package-index facts (licenses, health) from the cache only; say what is missing.",
    ),
]


def input_paths(paths: list[Path] | None, *named: list[Path] | None) -> list[Path]:
    """The PATH arguments, defaulting to the current directory unless `-r`/`--env` name the inputs."""
    return paths or ([] if any(named) else [Path()])
