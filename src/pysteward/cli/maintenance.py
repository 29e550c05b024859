"""`steward slas maintenance add|list|remove`: planned maintenance, excluded from an SLA's measured
time and downtime."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from pysteward.cli._api import DatabaseUrlOption, JsonOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.cli._render import Column, duration_text, print_json, print_object, utc_text
from pysteward.cli.monitors import parse_duration
from pysteward.cli.resources import IdArgument, LimitOption, connect, print_list
from pysteward.errors import InputError

__all__ = ["WINDOW_COLUMNS", "app", "window_row"]

app = typer.Typer(
    help="Plan maintenance windows, excluded from an SLA's measured time.", no_args_is_help=True
)

WINDOW_COLUMNS: list[Column] = [
    ("id", "id"),
    ("title", "title"),
    ("when", "when"),
    ("from", "from"),
    ("until", "until"),
    ("time zone", "timezone"),
]


def window_row(window: dict[str, Any]) -> dict[str, Any]:
    kind = window["kind"]
    lasting = duration_text(window["duration_minutes"] * 60)
    when = "once" if kind == "once" else f"{kind} {window['expression']} for {lasting}"
    return {
        **window,
        "when": when,
        "from": utc_text(window["starts_at"]),
        "until": utc_text(window.get("ends_at")),
    }


def _minutes(value: str, flag: str) -> int:
    minutes = parse_duration(value, flag) / 60
    if minutes < 1 or minutes != int(minutes):
        raise InputError(f"{flag}: {value!r} is not a whole number of minutes such as 30m or 2h")
    return int(minutes)


def _when(value: str, zone: str, flag: str) -> str:
    """A date-time for the API: ISO, read in `zone` when it carries no offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{flag}: {value!r} is not a date and time such as 2026-12-06T02:00") from None
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(f"--timezone: unknown time zone {zone!r}") from None
    return moment.isoformat()


def _window_body(
    once: tuple[str, str] | None, recurring: dict[str, str | None], spans: dict[str, str | None], zone: str
) -> dict[str, Any]:
    chosen = [flag for flag, given in (("--once", once), *recurring.items()) if given]
    if len(chosen) != 1:
        raise InputError('give exactly one of --once START END, --cron "EXPR" or --rrule "RULE"')
    if once is not None:
        extra = [flag for flag, value in spans.items() if value is not None]
        if extra:
            raise InputError(f"{extra[0]} only applies to --cron and --rrule windows")
        start, end = (_when(v, zone, "--once") for v in once)
        return {"kind": "once", "starts_at": start, "ends_at": end}
    if spans["--duration"] is None:
        raise InputError(f"{chosen[0]} needs --duration, such as 2h")
    first = spans["--from"]
    return {
        "kind": chosen[0].removeprefix("--"),
        "expression": recurring[chosen[0]],
        "duration_minutes": _minutes(spans["--duration"], "--duration"),
        "starts_at": _when(first, zone, "--from")
        if first
        else datetime.now(UTC).replace(microsecond=0).isoformat(),
        "ends_at": _when(spans["--until"], zone, "--until") if spans["--until"] else None,
    }


@app.command("add")
def maintenance_add(
    ident: IdArgument,
    title: Annotated[str, typer.Option("--title", help="What the maintenance is.")],
    once: Annotated[
        tuple[str, str] | None,
        typer.Option("--once", metavar="START END", help="One window (2026-12-06T02:00)."),
    ] = None,
    cron: Annotated[
        str | None, typer.Option("--cron", help='Recurring on a cron schedule ("0 2 * * sun").')
    ] = None,
    rrule: Annotated[
        str | None, typer.Option("--rrule", help='Recurring by RRULE ("FREQ=WEEKLY;BYDAY=SU").')
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", help="Length of each occurrence (2h).")
    ] = None,
    first: Annotated[
        str | None, typer.Option("--from", help="Recurring: first possible start (default now).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Recurring: stop after this (default never).")
    ] = None,
    timezone: Annotated[str, typer.Option("--timezone", help="Zone of the times and the schedule.")] = "UTC",
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Plan a maintenance window: --once START END, or --cron/--rrule with --duration."""
    with command_errors(verbose):
        spans = {"--duration": duration, "--from": first, "--until": until}
        body = _window_body(once, {"--cron": cron, "--rrule": rrule}, spans, timezone)
        body.update(title=title, timezone=timezone)
        with connect(server, token, database_url) as api:
            made = api.post(f"/slas/{ident}/maintenance", body)
        if as_json:
            print_json(made)
        else:
            print_object(window_row(made), title=f"created maintenance window {made['id']}")


@app.command("list")
def maintenance_list(
    ident: IdArgument,
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List an SLA's maintenance windows."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        items = list(api.pages(f"/slas/{ident}/maintenance", {}, limit=limit))
    print_list(items, WINDOW_COLUMNS, as_json, "maintenance window", row=window_row)


@app.command("remove")
def maintenance_remove(
    ident: IdArgument,
    window: Annotated[int, typer.Argument(help="The window's id.", min=1)],
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Remove a maintenance window (closed periods keep their stored figures)."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        api.delete(f"/slas/{ident}/maintenance/{window}")
    typer.echo(f"removed maintenance window {window} of SLA {ident}")
