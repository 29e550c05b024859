"""Bulk inserts that cost one statement per thousand rows on every engine.

`session.execute(insert(Model), rows)` is an executemany: psycopg sends it as one statement per row
(pipelined), which for the thousands of rows a timer tick may write is most of the tick's time on
PostgreSQL. A multi-row `INSERT … VALUES (…), (…)` per chunk is one round trip per chunk on both
engines, and a chunk stays well under SQLite's and PostgreSQL's bound-parameter limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

__all__ = ["insert_rows"]

_CHUNK = 1000


def insert_rows(session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert `rows` (each naming the same columns) into `model`'s table, a multi-row INSERT per
    thousand rows, in the session's transaction; the number of rows."""
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(model).values(list(rows[start : start + _CHUNK])))
    return len(rows)
