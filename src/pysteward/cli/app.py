"""The Typer application: `steward assess|sbom|fix|db …` and the operations server's `serve`, `admin`,
`clients`, `services`, `monitors`, `incidents`, `escalations`, `slas`, `calendars` and `channels`.

Options follow STYLE 23: `Annotated[..., typer.Option(help=...)]`, each with a `STEWARD_*` variable.
Exit codes (STYLE 20): 0 clean, 1 findings at or above --fail-on, 2 usage or input error, 3 operational.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pysteward import __version__
from pysteward.cli import admin as admin_commands
from pysteward.cli import assessments as assessment_commands
from pysteward.cli import calendars as calendar_commands
from pysteward.cli import channels as channel_commands
from pysteward.cli import db as db_commands
from pysteward.cli import incidents as incident_commands
from pysteward.cli import monitors as monitor_commands
from pysteward.cli import reports as report_commands
from pysteward.cli import resources
from pysteward.cli import slas as sla_commands
from pysteward.cli.assess import assess_command
from pysteward.cli.evidence import evidence_command
from pysteward.cli.fix import fix_command
from pysteward.cli.sbom import sbom_command
from pysteward.cli.serve import serve_command

app = typer.Typer(
    name="steward",
    help="Run Python systems under a service agreement: offline onboarding assessment of a codebase.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db_commands.app, name="db")
app.command("assess")(assess_command)
app.command("sbom")(sbom_command)
app.command("fix")(fix_command)
app.command("serve")(serve_command)
app.command("evidence")(evidence_command)
app.add_typer(admin_commands.app, name="admin")
app.add_typer(resources.clients, name="clients")
app.add_typer(resources.services, name="services")
app.add_typer(monitor_commands.app, name="monitors")
app.add_typer(incident_commands.app, name="incidents")
app.add_typer(channel_commands.escalations, name="escalations")
app.add_typer(sla_commands.app, name="slas")
app.add_typer(assessment_commands.app, name="assessments")
app.add_typer(calendar_commands.app, name="calendars")
app.add_typer(channel_commands.app, name="channels")
app.add_typer(report_commands.app, name="reports")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"steward {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Steward: assess, operate and report on Python systems."""


__all__ = ["app"]
