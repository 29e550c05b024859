"""`steward calendars add|list|show|remove`: business calendars (weekly hours, holidays, time zone)
for the business clock of SLA targets."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import typer

from pysteward.cli._api import DatabaseUrlOption, JsonOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.cli._render import Column, print_json, print_object
from pysteward.cli.resources import IdArgument, LimitOption, add_remove_command, connect, print_list
from pysteward.errors import InputError

__all__ = ["app", "hours_text", "parse_hours"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


app = typer.Typer(
    help="Manage business calendars: working hours and holidays in a time zone.", no_args_is_help=True
)

CALENDAR_COLUMNS: list[Column] = [
    ("id", "id"),
    ("client", "client"),
    ("name", "name"),
    ("time zone", "timezone"),
    ("hours", "hours"),
    ("holidays", "holiday_count"),
]


def _days(text: str, value: str) -> list[str]:
    days: list[str] = []
    for part in text.lower().split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise InputError(f"--hours: {value!r}: {part!r} is not a day or range such as mon-fri or sat")
        start, stop = DAYS.index(first), DAYS.index(last or first)
        days += [DAYS[(start + i) % 7] for i in range((stop - start) % 7 + 1)]  # fri-mon wraps
    return days


def _span(text: str, value: str) -> list[str]:
    match = _SPAN.match(text.strip())
    if match is None:
        raise InputError(f"--hours: {value!r}: {text.strip()!r} is not a span such as 09:00-17:00")
    hour, minute, end_hour, end_minute = (int(g) for g in match.groups())
    return [f"{hour:02d}:{minute:02d}", f"{end_hour:02d}:{end_minute:02d}"]


def parse_hours(values: list[str]) -> dict[str, list[list[str]]]:
    """`--hours` values (`mon-fri 09:00-17:00`, `sat 10:00-12:00,13:00-15:00`) as weekly hours."""
    hours: dict[str, list[list[str]]] = {}
    for value in values:
        parts = value.split(None, 1)
        if len(parts) != 2:
            raise InputError(f"--hours: {value!r} is not DAYS HH:MM-HH:MM such as 'mon-fri 09:00-17:00'")
        spans = [_span(text, value) for text in parts[1].split(",")]
        for day in _days(parts[0], value):
            hours.setdefault(day, []).extend(spans)
    return {day: hours[day] for day in DAYS if day in hours}


def hours_text(weekly: dict[str, list[list[str]]]) -> str:
    """Weekly hours the way `--hours` takes them: `mon-fri 09:00-17:00; sat 10:00-12:00`."""
    groups: list[tuple[list[str], str]] = []
    for day in DAYS:
        spans = ",".join(f"{start}-{end}" for start, end in weekly.get(day, []))
        if not spans:
            continue
        if groups and groups[-1][1] == spans and DAYS.index(groups[-1][0][-1]) == DAYS.index(day) - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], spans))
    parts = [f"{d[0]}-{d[-1]} {s}" if len(d) > 1 else f"{d[0]} {s}" for d, s in groups]
    return "; ".join(parts) or "none"


def _holidays(values: list[str]) -> list[str]:
    for value in values:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise InputError(f"--holiday: {value!r} is not a date such as 2026-12-25") from None
    return sorted(set(values))


def _calendar_row(calendar: dict[str, Any]) -> dict[str, Any]:
    return {
        **calendar,
        "client": calendar.get("client_id") or "provider",
        "hours": hours_text(calendar["weekly_hours"]),
        "holiday_count": len(calendar["holidays"]),
    }


def _print_calendar(calendar: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        print_json(calendar)
        return
    fields = {k: v for k, v in calendar.items() if k != "weekly_hours"}
    fields["hours"] = hours_text(calendar["weekly_hours"])
    print_object(fields, title=title)


@app.command("add")
def calendars_add(
    name: Annotated[str, typer.Option("--name", help="The calendar's name.")],
    client: Annotated[
        int | None, typer.Option("--client", min=1, help="The client's id (default: the provider's).")
    ] = None,
    timezone: Annotated[str, typer.Option("--timezone", help="Where the hours are (Europe/Berlin).")] = "UTC",
    hours: Annotated[
        list[str] | None, typer.Option("--hours", help='Working hours, "mon-fri 09:00-17:00" (repeatable).')
    ] = None,
    holiday: Annotated[
        list[str] | None, typer.Option("--holiday", help="A day off, 2026-12-25 (repeatable).")
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Add a business calendar (default hours: Monday to Friday 09:00–17:00)."""
    with command_errors(verbose):
        body: dict[str, Any] = {"name": name, "client_id": client, "timezone": timezone}
        if hours:
            body["weekly_hours"] = parse_hours(hours)
        body["holidays"] = _holidays(holiday or [])
        with connect(server, token, database_url) as api:
            made = api.post("/calendars", body)
        _print_calendar(made, as_json, f"created calendar {made['id']}")


@app.command("list")
def calendars_list(
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List business calendars."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        items = list(api.pages("/calendars", {}, limit=limit))
    print_list(items, CALENDAR_COLUMNS, as_json, "calendar", row=_calendar_row)


@app.command("show")
def calendars_show(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show a business calendar."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        calendar = api.get(f"/calendars/{ident}")
    _print_calendar(calendar, as_json, f"calendar {ident}")


add_remove_command(app, "calendar", "(its SLAs fall back to office hours)")
