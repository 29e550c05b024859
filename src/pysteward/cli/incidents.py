"""`steward incidents …`: open, acknowledge, assign, pause, resolve and follow incidents and their timers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from pysteward.cli._api import Api, DatabaseUrlOption, JsonOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.cli._render import Column, duration_text, print_json, print_object, print_table, utc_text
from pysteward.cli.resources import IdArgument, LimitOption, choice, connect, print_list
from pysteward.errors import InputError

__all__ = ["PRIORITIES", "app"]

app = typer.Typer(
    help="Work on incidents: priorities, acknowledgement, SLA timers, timeline.", no_args_is_help=True
)

PRIORITIES = ("P1", "P2", "P3", "P4")
STATUSES = ("triggered", "acknowledged", "resolved")
TIMELINE = 1000
"""Timeline entries `show` prints at most."""

INCIDENT_COLUMNS: list[Column] = [
    ("id", "id"),
    ("priority", "priority"),
    ("status", "status"),
    ("title", "title"),
    ("service", "service_id"),
    ("opened", "opened"),
    ("response", "response_left"),
    ("resolution", "resolution_left"),
]
TIMER_COLUMNS: list[Column] = [
    ("timer", "name"),
    ("state", "state"),
    ("due", "due"),
    ("warn from", "warn"),
    ("business time left", "left"),
    ("used", "used"),
    ("paused", "paused"),
]
EVENT_COLUMNS: list[Column] = [
    ("at", "when"),
    ("event", "kind"),
    ("by", "actor_id"),
    ("note", "message"),
]

PriorityOption = Annotated[str, typer.Option("--priority", help="P1 (most urgent) to P4.")]
NoteOption = Annotated[str, typer.Option("--note", help="Why (kept on the timeline).")]


def timer_text(timer: dict[str, Any]) -> str:
    """A timer in a few words: `running 3h 05m left`, `breached 20m over`, `met`, or a dash."""
    state = str(timer["state"])
    left = timer.get("remaining_seconds")
    if state == "none":
        return "–"
    if left is None or state in {"met", "missed"}:
        return state
    return f"{state} {duration_text(left, days=False)} {'left' if left >= 0 else 'over'}"


def _row(incident: dict[str, Any]) -> dict[str, Any]:
    return {
        **incident,
        "opened": utc_text(incident["opened_at"]),
        "response_left": timer_text(incident["response"]),
        "resolution_left": timer_text(incident["resolution"]),
        "status": f"{incident['status']} (paused)" if incident.get("paused_since") else incident["status"],
    }


def _timer_row(name: str, timer: dict[str, Any]) -> dict[str, Any]:
    # A stopped timer (met, missed) has nothing left to count down: show its due time only.
    stopped = timer["state"] in {"met", "missed"}
    left = None if stopped else timer.get("remaining_seconds")
    used = None if stopped else timer.get("used_percent")
    return {
        "name": name,
        "state": timer["state"],
        "due": utc_text(timer.get("due_at")),
        "warn": utc_text(timer.get("warn_at")),
        "left": None if left is None else f"{'' if left >= 0 else '-'}{duration_text(left, days=False)}",
        "used": None if used is None else f"{used:.0f} %",
        "paused": timer.get("paused", False),
    }


def summary(incident: dict[str, Any]) -> str:
    """One line: priority, status, both timers, and whether it is paused or assigned."""
    line = (
        f"incident {incident['id']} ({incident['priority']}, {incident['status']}): "
        f"response {timer_text(incident['response'])}, resolution {timer_text(incident['resolution'])}"
    )
    if incident.get("paused_since"):
        line += ", paused"
    if incident.get("assignee_id"):
        line += f", assigned to user {incident['assignee_id']}"
    return line


def _acted(incident: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(incident)
    else:
        typer.echo(summary(incident))


def _print_incident(incident: dict[str, Any], title: str) -> None:
    """Fields with times in UTC, then both SLA timers."""
    fields = {k: v for k, v in incident.items() if k not in {"response", "resolution"}}
    for key in ("opened_at", "acknowledged_at", "resolved_at", "paused_since", "next_escalation_at"):
        fields[key] = utc_text(fields.get(key))
    print_object(fields, title=title)
    timers = [_timer_row("response", incident["response"]), _timer_row("resolution", incident["resolution"])]
    print_table(timers, TIMER_COLUMNS, title="SLA timers")


def _show(api: Api, ident: int, as_json: bool) -> None:
    incident = api.get(f"/incidents/{ident}")
    events = list(api.pages(f"/incidents/{ident}/events", {}, limit=TIMELINE))
    if as_json:
        print_json({"incident": incident, "events": events})
        return
    _print_incident(incident, f"incident {ident}")
    print_table([{**e, "when": utc_text(e["at"])} for e in events], EVENT_COLUMNS, title="timeline")


def _run(
    server: str | None, token: str | None, url: str | None, verbose: bool, work: Callable[[Api], None]
) -> None:
    with command_errors(verbose), connect(server, token, url) as api:
        work(api)


@app.command("list")
def list_command(
    client: Annotated[
        int | None, typer.Option("--client", min=1, help="Only this client's incidents.")
    ] = None,
    service: Annotated[
        int | None, typer.Option("--service", min=1, help="Only this service's incidents.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only this status: triggered, acknowledged, resolved.")
    ] = None,
    priority: Annotated[str | None, typer.Option("--priority", help="Only this priority (P1–P4).")] = None,
    open_: Annotated[
        bool | None, typer.Option("--open/--closed", help="Only open, or only resolved, incidents.")
    ] = None,
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List incidents, newest first, with the time left on their SLA timers."""
    with command_errors(verbose):
        params = {
            "client_id": client,
            "service_id": service,
            "status": None if status is None else choice(status, STATUSES, "--status"),
            "priority": None if priority is None else choice(priority, PRIORITIES, "--priority"),
            "open": None if open_ is None else str(open_).lower(),
        }
        with connect(server, token, database_url) as api:
            items = list(api.pages("/incidents", params, limit=limit))
        print_list(items, INCIDENT_COLUMNS, as_json, "incident", row=_row)


@app.command("show")
def show_command(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show an incident: its fields, both SLA timers (due times in UTC) and its timeline."""
    _run(server, token, database_url, verbose, lambda api: _show(api, ident, as_json))


@app.command("open")
def open_command(
    service: Annotated[int, typer.Option("--service", min=1, help="The affected service's id.")],
    title: Annotated[str, typer.Option("--title", help="What is wrong, in a line.")],
    priority: PriorityOption = "P3",
    description: Annotated[str, typer.Option("--description", help="More detail.")] = "",
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Open an incident by hand; its SLA timers start now."""
    with command_errors(verbose):
        body = {
            "service_id": service,
            "title": title,
            "priority": choice(priority, PRIORITIES, "--priority"),
            "description": description,
        }
        with connect(server, token, database_url) as api:
            incident = api.post("/incidents", body)
        if as_json:
            print_json(incident)
        else:
            _print_incident(incident, f"opened incident {incident['id']}")


def _add_action(name: str, route: str, doc: str) -> None:
    """Register `NAME ID` posting an empty body to `/incidents/{id}/ROUTE`."""

    def command(
        ident: IdArgument,
        server: ServerOption = None,
        token: TokenOption = None,
        database_url: DatabaseUrlOption = None,
        as_json: JsonOption = False,
        verbose: VerboseOption = False,
    ) -> None:
        _run(
            server,
            token,
            database_url,
            verbose,
            lambda api: _acted(api.post(f"/incidents/{ident}/{route}", {}), as_json),
        )

    command.__doc__ = doc
    app.command(name)(command)


def _add_noted_action(name: str, route: str, doc: str) -> None:
    """Register `NAME ID [--note TEXT]` posting `{"note"}` to `/incidents/{id}/ROUTE`."""

    def command(
        ident: IdArgument,
        note: NoteOption = "",
        server: ServerOption = None,
        token: TokenOption = None,
        database_url: DatabaseUrlOption = None,
        as_json: JsonOption = False,
        verbose: VerboseOption = False,
    ) -> None:
        body = {"note": note}
        _run(
            server,
            token,
            database_url,
            verbose,
            lambda api: _acted(api.post(f"/incidents/{ident}/{route}", body), as_json),
        )

    command.__doc__ = doc
    app.command(name)(command)


_add_action("ack", "acknowledge", "Acknowledge an incident (stops the response timer).")
_add_noted_action("pause", "pause", "Wait for the client: stop the resolution clock.")
_add_action("resume", "resume", "Restart the resolution clock of a paused incident.")
_add_noted_action("resolve", "resolve", "Resolve an incident (stops the resolution timer).")
_add_noted_action("reopen", "reopen", "Reopen a resolved incident.")


@app.command("assign")
def assign_command(
    ident: IdArgument,
    user: Annotated[
        int | None, typer.Argument(metavar="[USER_ID]", help="The provider user's id.", min=1)
    ] = None,
    nobody: Annotated[bool, typer.Option("--none", help="Unassign.")] = False,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Assign an incident to a provider user, or to nobody with --none."""
    with command_errors(verbose):
        if (user is None) == (not nobody):
            raise InputError("give exactly one of USER_ID or --none")
        with connect(server, token, database_url) as api:
            _acted(api.post(f"/incidents/{ident}/assign", {"assignee_id": user}), as_json)


@app.command("comment")
def comment_command(
    ident: IdArgument,
    message: Annotated[str, typer.Argument(help="The comment.")],
    public: Annotated[
        bool,
        typer.Option(
            "--public", help="A public update: shown on the client's status page.", envvar="STEWARD_PUBLIC"
        ),
    ] = False,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Add a comment to an incident's timeline (with --public, an update on the status page)."""
    body = {"message": message, "public": public}
    _run(
        server,
        token,
        database_url,
        verbose,
        lambda api: _acted(api.post(f"/incidents/{ident}/comments", body), as_json),
    )


@app.command("priority")
def priority_command(
    ident: IdArgument,
    priority: Annotated[str, typer.Argument(help="P1 (most urgent) to P4.")],
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Change an incident's priority; its timers are re-timed to the new targets."""
    with command_errors(verbose):
        body = {"priority": choice(priority, PRIORITIES, "PRIORITY")}
        with connect(server, token, database_url) as api:
            _acted(api.patch(f"/incidents/{ident}", body), as_json)
