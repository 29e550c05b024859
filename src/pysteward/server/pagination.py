"""Keyset pagination shared by every list endpoint: `?limit=&after=` and `{"items", "next_after"}`.

Keyset (by id) rather than offset, so page 200 of 10,000 monitors costs what page 1 costs.

Ids from the outside are bounded to what a column can hold (`MAX_ID` for INTEGER keys, `MAX_BIG_ID`
for BIGINT ones): a larger number cannot name a row, and would overflow the database's parameter
(PostgreSQL: "integer out of range"; SQLite: OverflowError) and answer 500 instead of 422.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel, Field

__all__ = ["MAX_BIG_ID", "MAX_ID", "Page", "PageParams", "Paging", "PathId"]

MAX_LIMIT = 500
MAX_ID = 2**31 - 1
"""The largest id an INTEGER primary key holds (PostgreSQL's `integer`)."""
MAX_BIG_ID = 2**63 - 1
"""The largest id a BIGINT primary key holds (check results, state intervals)."""

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="The id.")]
"""An object id in a path (`/services/{service_id}`): 422 outside 1..MAX_ID."""


class PageParams(BaseModel):
    """What page to return: at most `limit` items with ids greater than `after`."""

    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)
    after: int | None = Field(default=None, ge=0, le=MAX_BIG_ID)


def _params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_BIG_ID, description="Return items with an id above this one.")
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, after=after)


Paging = Annotated[PageParams, Depends(_params)]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; `next_after` is the `after` of the next page, None on the last one."""

    items: list[T]
    next_after: int | None
