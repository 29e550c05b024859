"""`steward fix`: propose, and with `--write` apply, the smallest upgrades that clear the vulnerabilities.

Exit codes: 0 when nothing needs fixing or `--write` applied every upgrade; 1 when upgrades are
proposed (`--dry-run`, the default) or some still need a lock command or a hand edit; 2 and 3 as for
`steward assess`. The diff and the plan go to stdout, notices to stderr.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pysteward.cli._errors import command_errors
from pysteward.cli._options import DatabaseOption, VerboseOption, database_path, parse_date

if TYPE_CHECKING:
    from pysteward.engine.assessment import Assessment
    from pysteward.engine.fixes import FileRewrite, FixPlan

__all__ = ["fix_command"]


def fix_command(
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
            help="A requirements file to fix (repeatable).",
        ),
    ] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write/--dry-run",
            envvar="STEWARD_FIX_WRITE",
            help="Rewrite requirements files in place, or only show the diff and the plan "
            "[default: --dry-run].",
        ),
    ] = False,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan", envvar="STEWARD_FIX_PLAN", dir_okay=False, help="Also write the plan here as JSON."
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="STEWARD_CONFIG",
            dir_okay=False,
            help="Configuration file (its ignores apply) "
            "[default: steward.toml or pyproject.toml of the first PATH].",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            envvar="STEWARD_EXCLUDE",
            help="Skip paths matching this glob, relative to each PATH.",
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--date", envvar="STEWARD_DATE", help="Judge ignore expiry as of this day."),
    ] = None,
    database: DatabaseOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Propose the lowest safe version of every vulnerable pin; rewrite requirements files with --write."""
    day = parse_date(on)
    with command_errors(verbose):
        code = _run(
            paths=paths or ([] if requirement else [Path()]),
            requirements=requirement or [],
            write=write,
            plan_path=plan,
            config_path=config,
            exclude=exclude or [],
            on=day or date.today(),
            database=database_path(database),
        )
    raise typer.Exit(code)


def _run(
    *,
    paths: list[Path],
    requirements: list[Path],
    write: bool,
    plan_path: Path | None,
    config_path: Path | None,
    exclude: list[str],
    on: date,
    database: Path,
) -> int:
    from pysteward.engine.advisories import AdvisoryDatabase
    from pysteward.engine.assess import AssessRequest, assess, settings_for
    from pysteward.engine.fixes import plan_fixes, plan_rewrites
    from pysteward.engine.vulnerabilities import AdvisoryDatabaseSource

    settings = settings_for(
        paths=paths,
        config_path=config_path,
        fail_on=None,
        pythons=[],
        eol_warning_days=None,
        exclude=exclude,
    )
    request = AssessRequest(paths=tuple(paths), requirements=tuple(requirements), config=settings, on=on)
    with AdvisoryDatabase(database) as db:
        assessment = assess(request, database=AdvisoryDatabaseSource(db))
        ignored = {i.id for i in settings.ignores if not i.expired(on)}
        fix_plan = plan_fixes(assessment, db, ignored=ignored)
    rewrites = plan_rewrites(fix_plan)
    _report(assessment, fix_plan, rewrites, plan_path)
    if not fix_plan.upgrades:
        return 0
    if not write:
        return 1
    return _write(fix_plan, rewrites)


def _report(
    assessment: Assessment, fix_plan: FixPlan, rewrites: tuple[FileRewrite, ...], plan_path: Path | None
) -> None:
    from pysteward.engine.fixes import render_plan

    for rewrite in rewrites:
        if rewrite.changed:
            typer.echo(rewrite.diff(assessment.relative(rewrite.path)), nl=False)
    typer.echo(render_plan(fix_plan, relative=assessment.relative), nl=False)
    for note in fix_plan.notes:
        typer.echo(f"warning: {note}", err=True)
    for rewrite in rewrites:
        _notices(assessment, rewrite)
    if plan_path is not None:
        _write_plan(assessment, fix_plan, plan_path)


def _notices(assessment: Assessment, rewrite: FileRewrite) -> None:
    shown = assessment.relative(rewrite.path)
    if rewrite.hashes_removed:
        typer.echo(
            f"notice: {shown}: hashes removed for {', '.join(rewrite.hashes_removed)}; generate them again "
            "(e.g. pip-compile --generate-hashes) before installing with hash checking",
            err=True,
        )
    if rewrite.generated and rewrite.changed:
        typer.echo(
            f"notice: {shown} is generated by pip-compile; upgrade its input too "
            "(pip-compile --upgrade-package NAME==VERSION) or the next compile undoes the fix",
            err=True,
        )
    for edit in rewrite.missed:
        typer.echo(
            f"notice: {shown}:{edit.line}: no {edit.name}=={edit.current} pin on this line "
            f"(a constraints file may pin it); pin {edit.name}=={edit.target} by hand",
            err=True,
        )


def _write_plan(assessment: Assessment, fix_plan: FixPlan, plan_path: Path) -> None:
    import json

    from pysteward.engine.fixes import plan_json
    from pysteward.errors import InputError

    data = plan_json(fix_plan, project=assessment.root.resolve().name, relative=assessment.relative)
    try:
        plan_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the plan: {e.strerror}", path=plan_path) from None
    typer.echo(f"steward: plan written to {plan_path}", err=True)


def _write(fix_plan: FixPlan, rewrites: tuple[FileRewrite, ...]) -> int:
    """Write the rewrites; 1 when an upgrade still needs a command or a hand edit."""
    from pysteward.engine.fixes import Action, apply_rewrites

    written = apply_rewrites(rewrites)
    typer.echo(f"steward: rewrote {len(written)} file(s)", err=True)
    pending = sum(1 for u in fix_plan.upgrades if any(f.action is not Action.REWRITE for f in u.files))
    pending += sum(len(r.missed) for r in rewrites)
    if pending:
        typer.echo(f"steward: {pending} change(s) still need a command or a hand edit (see above)", err=True)
    return 1 if pending else 0
