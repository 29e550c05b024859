"""`steward assess`: the offline onboarding assessment, as a CI gate."""

from __future__ import annotations

from datetime import date
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

_FAIL_ON = ("never", "vulnerability", "info", "unknown", "low", "medium", "high", "critical", "malicious")


def _check_fail_on(value: str | None) -> str | None:
    if value is not None and value not in _FAIL_ON:
        raise typer.BadParameter(f"{value!r} is not one of: {', '.join(_FAIL_ON)}")
    return value


def assess_command(
    paths: PathsArgument = None,
    requirement: RequirementOption = None,
    env: EnvOption = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", envvar="STEWARD_FORMAT", help="Report format.")
    ] = OutputFormat.TABLE,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", envvar="STEWARD_OUTPUT", help="Write the report here, not stdout."),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            envvar="STEWARD_FAIL_ON",
            callback=_check_fail_on,
            help=f"Exit 1 when a finding is at or above this: {', '.join(_FAIL_ON)} "
            "(default: vulnerability, i.e. any vulnerability).",
        ),
    ] = None,
    config: ConfigOption = None,
    python: Annotated[
        list[str] | None,
        typer.Option(
            "--python",
            envvar="STEWARD_PYTHON_VERSIONS",
            help="Python minor version to evaluate markers and end-of-life for (repeatable) "
            "(default: detected).",
        ),
    ] = None,
    eol_warning_days: Annotated[
        int | None,
        typer.Option(
            "--eol-warning-days",
            envvar="STEWARD_EOL_WARNING_DAYS",
            min=0,
            help="Warn this many days before a Python reaches end of life (default: 180).",
        ),
    ] = None,
    exclude: ExcludeOption = None,
    on: DateOption = None,
    database: DatabaseOption = None,
    offline: OfflineOption = False,
    no_licenses: Annotated[
        bool, typer.Option("--no-licenses", envvar="STEWARD_NO_LICENSES", help="Skip the license checks.")
    ] = False,
    no_health: Annotated[
        bool,
        typer.Option("--no-health", envvar="STEWARD_NO_HEALTH", help="Skip the maintenance-health checks."),
    ] = False,
    no_typosquats: Annotated[
        bool,
        typer.Option(
            "--no-typosquats", envvar="STEWARD_NO_TYPOSQUATS", help="Skip the look-alike package name check."
        ),
    ] = False,
    no_sast: Annotated[
        bool,
        typer.Option("--no-sast", envvar="STEWARD_NO_SAST", help="Skip Bandit on the project's own code."),
    ] = False,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color", envvar="STEWARD_COLOR", help="Colour the table (default: on a terminal)."
        ),
    ] = None,
    verbose: VerboseOption = False,
) -> None:
    """Assess projects: dependencies, Python end-of-life, vulnerabilities, licenses, health, Bandit."""
    day = parse_date(on)
    with command_errors(verbose):
        code = _run(
            paths=input_paths(paths, requirement, env),
            requirements=requirement or [],
            envs=env or [],
            output_format=output_format,
            output=output,
            fail_on=fail_on,
            config_path=config,
            pythons=python or [],
            eol_warning_days=eol_warning_days,
            exclude=exclude or [],
            on=day,
            database=database_path(database),
            color=color,
            checks=_checks(
                no_licenses=no_licenses, no_health=no_health, no_sast=no_sast, no_typosquats=no_typosquats
            ),
            offline=offline,
        )
    raise typer.Exit(code)


def _run(
    *,
    paths: list[Path],
    requirements: list[Path],
    envs: list[Path],
    output_format: OutputFormat,
    output: Path | None,
    fail_on: str | None,
    config_path: Path | None,
    pythons: list[str],
    eol_warning_days: int | None,
    exclude: list[str],
    on: date | None,
    database: Path,
    color: bool | None,
    checks: frozenset[str],
    offline: bool,
) -> int:
    import sys

    from pysteward.engine.assess import AssessRequest, assess, settings_for
    from pysteward.engine.checks import Check
    from pysteward.formats import formatter_for

    settings = settings_for(
        paths=paths,
        config_path=config_path,
        fail_on=fail_on,
        pythons=pythons,
        eol_warning_days=eol_warning_days,
        exclude=exclude,
    )
    request = AssessRequest(
        paths=tuple(paths),
        requirements=tuple(requirements),
        environments=tuple(envs),
        config=settings,
        on=on or date.today(),
        checks=frozenset(Check(c) for c in checks),
        offline=offline,
    )
    assessment = assess(request, database=database)
    to_terminal = output is None and sys.stdout.isatty()
    use_color = to_terminal if color is None else color
    text = formatter_for(output_format, color=use_color, width=_width()).render(assessment)
    _emit(text, output, color=use_color)
    _summary(assessment, output_format, output)
    return 1 if assessment.failing() else 0


def _checks(*, no_licenses: bool, no_health: bool, no_sast: bool, no_typosquats: bool) -> frozenset[str]:
    skipped = {"licenses": no_licenses, "health": no_health, "sast": no_sast, "typosquats": no_typosquats}
    return frozenset(name for name, skip in skipped.items() if not skip)


def _width() -> int:
    import shutil

    return max(shutil.get_terminal_size((120, 24)).columns, 100)


def _emit(text: str, output: Path | None, *, color: bool) -> None:
    if output is None:
        # click strips ANSI codes from output that is not a terminal unless told otherwise (--color).
        typer.echo(text, nl=not text.endswith("\n"), color=color)
        return
    from pysteward.errors import InputError

    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the report: {e.strerror}", path=output) from None


def _summary(assessment: object, output_format: OutputFormat, output: Path | None) -> None:
    """One line on stderr when the report went elsewhere or is machine-readable."""
    from pysteward.engine.assessment import Assessment

    assert isinstance(assessment, Assessment)
    if output_format is OutputFormat.TABLE and output is None:
        return
    failing = len(assessment.failing())
    total = sum(1 for _ in assessment.findings())
    where = f" written to {output}" if output else ""
    typer.echo(
        f"steward: {total} findings, {failing} at or above --fail-on {assessment.fail_on.value}; "
        f"report{where}",
        err=True,
    )
