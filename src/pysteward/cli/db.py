"""`steward db …`: the advisory database and the reference data behind an offline assessment."""

from __future__ import annotations

from typing import Annotated

import typer

from pysteward.cli._api import DatabaseUrlOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import DatabaseOption, VerboseOption, database_path

app = typer.Typer(
    help="Manage the offline advisory database and reference data, and migrate the server database.",
    no_args_is_help=True,
)


@app.command("import")
def import_command(
    source: Annotated[
        str, typer.Argument(help="OSV all.zip, a directory of OSV JSON/YAML records, or an http(s) URL.")
    ],
    database: DatabaseOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Import OSV advisories from a zip, a directory or a URL (incremental, atomic)."""
    from pysteward.cli._progress import RichObserver
    from pysteward.engine.advisories import import_advisories

    with command_errors(verbose):
        report = import_advisories(source, database_path(database), observer=RichObserver())
        typer.echo(report.summary())


@app.command("update")
def update_command(database: DatabaseOption = None, verbose: VerboseOption = False) -> None:
    """Download OSV's PyPI advisories, the CPython release cycle and popular package names (online)."""
    from pysteward.cli._progress import RichObserver
    from pysteward.engine.advisories import update_advisories
    from pysteward.engine.datadir import data_dir
    from pysteward.engine.runtime import update_release_cycle
    from pysteward.engine.typosquat import update_popular_names

    observer = RichObserver()
    with command_errors(verbose):
        report = update_advisories(database_path(database), observer=observer)
        typer.echo(report.summary())
        cycle = update_release_cycle(data_dir(), observer=observer)
        typer.echo(cycle.describe())
        popular = update_popular_names(data_dir(), observer=observer)
        typer.echo(popular.describe())


@app.command("status")
def status_command(database: DatabaseOption = None, verbose: VerboseOption = False) -> None:
    """Say where the advisory data, release cycle and popular names came from, and how old they are."""
    from pysteward.engine.advisories import db_status
    from pysteward.engine.datadir import data_dir
    from pysteward.engine.runtime import ReleaseCycle
    from pysteward.engine.typosquat import load_popular_names

    with command_errors(verbose):
        status = db_status(database_path(database))
        cycle = ReleaseCycle.load(data_dir())
        newest = status.newest_modified.isoformat() if status.newest_modified else "unknown"
        typer.echo(f"database:      {status.path}")
        typer.echo(f"source:        {status.source}")
        typer.echo(f"records:       {status.records} advisories for {status.packages} packages")
        typer.echo(f"newest record: {newest}")
        typer.echo(f"imported:      {status.imported_at.isoformat()} ({_days(status.age.days)} ago)")
        if status.newest_modified is not None:
            age = (status.imported_at - status.newest_modified).days + status.age.days
            typer.echo(f"data age:      {_days(age)} since the newest record")
        typer.echo(f"release cycle: CPython, as of {cycle.as_of.isoformat()} ({cycle.source})")
        popular = load_popular_names(data_dir())
        if popular is None:
            typer.echo("popular names: none, typosquats are not checked (`steward db update` downloads them)")
        else:
            typer.echo(f"popular names: {len(popular)}, as of {popular.as_of.isoformat()} ({popular.source})")


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


@app.command("migrate")
def migrate_command(
    database_url: DatabaseUrlOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Apply the operations server's database migrations (steward serve also does this at start)."""
    from pysteward.store import default_database_url, migrate, redact_url

    with command_errors(verbose):
        url = database_url or default_database_url()
        revision = migrate(url)
        typer.echo(f"{redact_url(url)}: at revision {revision}")
