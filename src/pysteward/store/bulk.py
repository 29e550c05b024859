"""Bulk inserts for the thousands of rows one scheduled step may write.

On PostgreSQL an executemany is one statement per row (psycopg pipelines them), which is most of the
time of a tick that moves 10,000 timers; `COPY … FROM STDIN` streams the rows in one statement.
Elsewhere (SQLite) the executemany is already a loop in C. Values pass through each column's bind
processor first, so they are stored exactly as an ORM insert would store them (enum values, JSON
text, UTC timestamps).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import psycopg
from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy import JSON, Dialect, Table, insert
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

__all__ = ["insert_rows"]


def _processor(kind: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What turns a Python value into the value psycopg sends for a column of type `kind`."""
    if isinstance(kind, JSON):  # SQLAlchemy leaves JSON to the driver's own adapter
        return lambda value: None if value is None else Json(value)
    return kind.bind_processor(dialect)


def insert_rows(session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert `rows` (each naming the same columns) into `model`'s table in the session's transaction;
    the number of rows."""
    if not rows:
        return 0
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(model), list(rows))
        return len(rows)
    table = cast(Table, model.__table__)
    names = list(rows[0])
    processors = [_processor(table.c[name].type, connection.dialect) for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in names)
    )
    driver = connection.connection.driver_connection  # the session's own, so its transaction
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = (row[name] for name in names)
            copy.write_row([v if p is None else p(v) for p, v in zip(processors, values, strict=True)])
    return len(rows)
