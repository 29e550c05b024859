"""`steward sbom`: a software bill of materials (CycloneDX 1.6 or SPDX 2.3) with vulnerabilities as VEX."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pysteward._types import OutputFormat
from pysteward.cli._errors import command_errors
from pysteward.cli._options import (
    ConfigOption,
    DatabaseOption,
    DateOption,
    EnvOption,
    ExcludeOption,
    OfflineOption,
    PathsArgument,
    RequirementOption,
    VerboseOption,
    database_path,
    input_paths,
    parse_date,
)

__all__ = ["SbomFormat", "sbom_command"]


class SbomFormat(StrEnum):
    """The `--format` choices of `steward sbom`."""

    CYCLONEDX_JSON = "cyclonedx-json"
    CYCLONEDX_XML = "cyclonedx-xml"
    SPDX_JSON = "spdx-json"


def sbom_command(
    paths: PathsArgument = None,
    requirement: RequirementOption = None,
    env: EnvOption = None,
    output_format: Annotated[
        SbomFormat,
        typer.Option("--format", "-f", envvar="STEWARD_SBOM_FORMAT", help="SBOM format."),
    ] = SbomFormat.CYCLONEDX_JSON,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", envvar="STEWARD_OUTPUT", help="Write the SBOM here, not stdout."),
    ] = None,
    config: ConfigOption = None,
    exclude: ExcludeOption = None,
    on: DateOption = None,
    database: DatabaseOption = None,
    offline: OfflineOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Write a software bill of materials: components, dependency graph, licenses, vulnerabilities (VEX)."""
    day = parse_date(on)
    with command_errors(verbose):
        _run(
            paths=input_paths(paths, requirement, env),
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
