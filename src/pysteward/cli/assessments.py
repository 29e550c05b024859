"""`steward assessments …`: run `steward assess` on a service's registered repository path on the
server (or the local database), list a service's runs, show one, and compare it with the previous.

A failed run is printed like any other and ends with exit code 3 (operational), its reason on stderr.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pysteward.cli._api import Api, DatabaseUrlOption, JsonOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.cli._render import Column, print_json, print_table, utc_text
from pysteward.cli.resources import IdArgument, LimitOption, connect, print_list
from pysteward.errors import OperationalError

__all__ = ["app"]

app = typer.Typer(help="Assess services' repositories on the server and compare runs.", no_args_is_help=True)

RUN_TIMEOUT = 600.0
"""Seconds to wait for a server to finish a run (the engine runs inside the request)."""

RUN_COLUMNS: list[Column] = [
    ("id", "id"),
    ("started", "started"),
    ("status", "status"),
    ("risk", "risk"),
    ("findings", "findings"),
    ("critical", "critical"),
    ("end-of-life Pythons", "eol"),
    ("repository path", "repository_path"),
]
FINDING_COLUMNS: list[Column] = [
    ("severity", "severity"),
    ("kind", "kind"),
    ("finding", "title"),
    ("fix", "fix"),
]


class RunFailed(OperationalError):
    """The server stored the run as failed."""


def _run_row(run: dict[str, Any]) -> dict[str, Any]:
    summary = run.get("summary") or {}
    risk = f"{run['risk_grade']} {run['risk_score']}" if run.get("risk_grade") else None
    eol = [r["version"] for r in summary.get("eol_runtimes", [])]
    return {
        **run,
        "started": utc_text(run["started_at"]),
        "risk": risk,
        "findings": summary.get("findings"),
        "critical": summary.get("critical_vulnerabilities"),
        "eol": (eol or "none") if summary else None,
    }


def _print_run(run: dict[str, Any]) -> None:
    print_table(
        [_run_row(run)], RUN_COLUMNS, title=f"assessment run {run['id']} of service {run['service_id']}"
    )
    if run["status"] == "succeeded":
        print_table(run["findings"], FINDING_COLUMNS, title="findings")
        for notice in run["summary"].get("notices", []):
            typer.echo(f"note: {notice}", err=True)


def _detail(run: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(run)
    else:
        _print_run(run)
    if run["status"] == "failed":
        raise RunFailed(f"assessment run {run['id']} failed: {run['error']}")


@app.command("run")
def run_command(
    service: Annotated[int, typer.Argument(help="The service's id.", min=1)],
    path: Annotated[
        str | None,
        typer.Option("--path", help="One of the service's repository paths (default: its first)."),
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Assess a service's repository now, offline, and store the run on the server."""
    with command_errors(verbose):
        api = Api(server=server, token=token, database_url=database_url, timeout=RUN_TIMEOUT)
        with api:
            made = api.post(f"/services/{service}/assessments", {"repository_path": path})
        _detail(made, as_json)


@app.command("list")
def list_command(
    service: Annotated[int, typer.Argument(help="The service's id.", min=1)],
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List a service's assessment runs, oldest first."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        items = list(api.pages(f"/services/{service}/assessments", {}, limit=limit))
    print_list(items, RUN_COLUMNS, as_json, "assessment run", row=_run_row)


@app.command("show")
def show_command(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show one run with its findings (exit 3 for a failed run)."""
    with command_errors(verbose):
        with connect(server, token, database_url) as api:
            item = api.get(f"/assessments/{ident}")
        _detail(item, as_json)


@app.command("diff")
def diff_command(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """What is new and what was resolved since the service's previous succeeded run."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        diff = api.get(f"/assessments/{ident}/diff")
    if as_json:
        print_json(diff)
        return
    previous = diff["previous_run_id"]
    against = f"run {previous}" if previous is not None else "nothing (the first succeeded run)"
    typer.echo(
        f"run {ident} against {against}: {len(diff['new'])} new, {len(diff['resolved'])} resolved, "
        f"{len(diff['unchanged'])} unchanged"
    )
    print_table(diff["new"], FINDING_COLUMNS, title="new since the previous run")
    print_table(diff["resolved"], FINDING_COLUMNS, title="resolved since the previous run")
