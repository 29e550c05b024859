"""Rich tables and JSON for the resource commands: API objects in, text on stdout."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["Column", "print_json", "print_object", "print_table"]

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
