"""Keyset pagination shared by every list endpoint: `?limit=&after=` and `{"items", "next_after"}`.

Keyset (by id) rather than offset, so page 200 of 10,000 monitors costs what page 1 costs.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

__all__ = ["Page", "PageParams", "Paging"]

MAX_LIMIT = 500


class PageParams(BaseModel):
    """What page to return: at most `limit` items with ids greater than `after`."""

    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)
    after: int | None = Field(default=None, ge=0)


def _params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    after: Annotated[int | None, Query(ge=0, description="Return items with an id above this one.")] = None,
) -> PageParams:
    return PageParams(limit=limit, after=after)


Paging = Annotated[PageParams, Depends(_params)]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; `next_after` is the `after` of the next page, None on the last one."""

    items: list[T]
    next_after: int | None
