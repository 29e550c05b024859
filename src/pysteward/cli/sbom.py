"""`steward sbom`: a software bill of materials (CycloneDX 1.6 or SPDX 2.3) with vulnerabilities as VEX."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pysteward._types import OutputFormat
from pysteward.cli._errors import command_errors
from pysteward.cli._options import DatabaseOption, VerboseOption, database_path, parse_date

__all__ = ["SbomFormat", "sbom_command"]


class SbomFormat(StrEnum):
    """The `--format` choices of `steward sbom`."""

    CYCLONEDX_JSON = "cyclonedx-json"
    CYCLONEDX_XML = "cyclonedx-xml"
    SPDX_JSON = "spdx-json"


def sbom_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Directories to search for projects, or manifest/lockfile paths [default: .]."),
    ] = None,
    requirement: Annotated[
        list[Path] | None,
        typer.Option(
            "--requirement",
            "-r",
            envvar="STEWARD_REQUIREMENT",
            help="A requirements file to include (repeatable).",
        ),
    ] = None,
    env: Annotated[
        list[Path] | None,
        typer.Option(
            "--env",
            envvar="STEWARD_ENV",
            help="A virtual environment, site-packages directory or Python interpreter (repeatable).",
        ),
    ] = None,
    output_format: Annotated[
        SbomFormat,
        typer.Option("--format", "-f", envvar="STEWARD_SBOM_FORMAT", help="SBOM format."),
    ] = SbomFormat.CYCLONEDX_JSON,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", envvar="STEWARD_OUTPUT", help="Write the SBOM here, not stdout."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="STEWARD_CONFIG",
            help="Configuration file, for ignores (VEX `not_affected`) and excludes [default: steward.toml "
            "or [tool.steward] in pyproject.toml of the first PATH].",
            dir_okay=False,
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            envvar="STEWARD_EXCLUDE",
            help="Skip paths matching this glob, relative to each PATH (repeatable; * and ** cross folders).",
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--date", envvar="STEWARD_DATE", help="Judge ignores as of this day."),
    ] = None,
    database: DatabaseOption = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            envvar="STEWARD_OFFLINE",
            help="Read licenses of lockfile-only packages from the package-index cache only.",
        ),
    ] = False,
    verbose: VerboseOption = False,
) -> None:
    """Write a software bill of materials: components, dependency graph, licenses, vulnerabilities (VEX)."""
    day = parse_date(on)
    with command_errors(verbose):
        _run(
            paths=paths or ([] if (requirement or env) else [Path()]),
            requirements=requirement or [],
            envs=env or [],
            output_format=OutputFormat(output_format.value),
            output=output,
            config_path=config,
            exclude=exclude or [],
            on=day,
            database=database_path(database),
            offline=offline,
        )


def _run(
    *,
    paths: list[Path],
    requirements: list[Path],
    envs: list[Path],
    output_format: OutputFormat,
    output: Path | None,
    config_path: Path | None,
    exclude: list[str],
    on: date | None,
    database: Path,
    offline: bool,
) -> None:
    from pysteward.engine.assess import AssessRequest, assess, settings_for
    from pysteward.engine.checks import Check
    from pysteward.errors import InputError
    from pysteward.formats import formatter_for

    settings = settings_for(
        paths=paths, config_path=config_path, fail_on=None, pythons=[], eol_warning_days=None, exclude=exclude
    )
    request = AssessRequest(
        paths=tuple(paths),
        requirements=tuple(requirements),
        environments=tuple(envs),
        config=settings,
        on=on or date.today(),
        checks=frozenset({Check.LICENSES}),
        offline=offline,
    )
    assessment = assess(request, database=database)
    text = formatter_for(output_format).render(assessment)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the SBOM: {e.strerror}", path=output) from None
    components = sum(len(p.dependencies) for p in assessment.projects)
    typer.echo(
        f"steward: SBOM ({output_format.value}) of {components} dependencies written to {output}", err=True
    )
