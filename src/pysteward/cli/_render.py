"""Rich tables, JSON and time formats for the resource commands: API objects in, text on stdout."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = ["Column", "duration_text", "print_json", "print_object", "print_table", "utc_text"]

Column = tuple[str, str]
"""(heading, key of the API object)."""


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def cell(value: object) -> str:
    """One value as table text: lists joined, objects as compact JSON, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value) or "–"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def print_json(value: object) -> None:
    """`value` as indented JSON on stdout."""
    import typer

    typer.echo(json.dumps(value, indent=2, sort_keys=True))


def print_table(
    rows: Iterable[dict[str, Any]], columns: Sequence[Column], *, title: str | None = None
) -> int:
    """A table of `rows` with `columns`; the number of rows printed."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(*(heading for heading, _ in columns), title=title, title_justify="left")
    count = 0
    for row in rows:
        table.add_row(*(escape(cell(row.get(key))) for _, key in columns))
        count += 1
    _console().print(table)
    return count


def print_object(value: dict[str, Any], *, title: str | None = None) -> None:
    """One API object as a two-column table of its fields."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("field")
    table.add_column("value", overflow="fold")  # a push URL is shown once: never cut it
    for key, item in value.items():
        table.add_row(escape(key), escape(cell(item)))
    _console().print(table)


def duration_text(seconds: float, *, days: bool = True) -> str:
    """A length of time for people: `45s`, `12m`, `3h 05m`, `2d 04h` (sign dropped).

    `days=False` counts in hours instead (`52h 00m`), for business time, where a day of 24 hours
    would read as a calendar day."""
    whole = round(abs(seconds))
    whole_days, rest = divmod(whole, 86400) if days else (0, whole)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if whole_days:
        return f"{whole_days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def utc_text(value: str | None) -> str | None:
    """An API timestamp as `2026-11-22 09:30 UTC`; None stays None."""
    if value is None:
        return None
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
