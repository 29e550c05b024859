"""Status pages: `GET /status/{client_id}` (HTML) and `/status/{client_id}.json` (the same data, for
embedding), with `?key=` for a page behind its secret link.

No session is needed or read: the page is public, or its key is the credential. A page behind a link
is kept out of search engines and caches, and sends no referrer, so the key does not travel on.

Anyone may ask for a public page, as often as they like, and a page costs 90 days of accounting per
service: each process keeps a client's page for 30 seconds (`CACHE_SECONDS`). Who may read it is
checked on every request, so turning a page off or rotating its link takes effect at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from time import monotonic
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from pysteward.server.deps import DbSession
from pysteward.server.errors import ApiError, body
from pysteward.server.pagination import PathId
from pysteward.server.status.access import open_page
from pysteward.server.status.availability import DAYS
from pysteward.server.status.service import StatusPage, gather
from pysteward.server.tenancy.models import Client, StatusPageAccess
from pysteward.server.web.templating import page
from pysteward.store.base import utcnow

__all__ = ["CACHE_SECONDS", "router"]

router = APIRouter(include_in_schema=False)

Key = Annotated[str | None, Query(description="The secret of a page behind a link.")]
_JSON = TypeAdapter(StatusPage)
_BAR_WIDTH, _BAR_GAP, _BAR_HEIGHT = 4, 1, 34
CACHE_SECONDS = 30.0
"""How long a process reuses a client's gathered page."""


def _gathered(app: FastAPI, session: Session, client: Client) -> StatusPage:
    """`client`'s page, gathered at most once per `CACHE_SECONDS` by this process."""
    cache: dict[int, tuple[float, StatusPage]] | None = getattr(app.state, "status_pages", None)
    if cache is None:
        cache = app.state.status_pages = {}
    moment = monotonic()
    kept = cache.get(client.id)
    if kept is not None and moment < kept[0]:
        return kept[1]
    status = gather(session, client=client, now=utcnow())
    cache[client.id] = (moment + CACHE_SECONDS, status)
    return status


def _headers(client: Client) -> dict[str, str]:
    headers = {"Referrer-Policy": "no-referrer"}
    if client.status_page is StatusPageAccess.LINK:
        headers |= {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
    else:
        headers["Cache-Control"] = "public, max-age=30"
    return headers


def _local(timezone: str) -> Callable[[datetime], str]:
    """A formatter of UTC times as local times in `timezone`, for the template."""
    zone = ZoneInfo(timezone)

    def local(value: datetime) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    return local


# The JSON route comes first: `/status/{client_id}` would otherwise take `7.json` for an id.
@router.get("/status/{client_id}.json")
def status_json(client_id: PathId, request: Request, session: DbSession, key: Key = None) -> Response:
    """A client's status as JSON; a 404 body in the API's shape for every page one may not read."""
    try:
        client = open_page(session, client_id=client_id, key=key)
    except ApiError as e:
        return JSONResponse(body(e.code, e.message), status_code=e.status)
    status = _gathered(request.app, session, client)
    headers = _headers(client) | {"Access-Control-Allow-Origin": "*"}
    return JSONResponse(_JSON.dump_python(status, mode="json"), headers=headers)


@router.get("/status/{client_id}")
def status_page(client_id: PathId, request: Request, session: DbSession, key: Key = None) -> Response:
    """A client's status page (standalone: no console navigation, refreshed every minute)."""
    client = open_page(session, client_id=client_id, key=key)
    status = _gathered(request.app, session, client)
    private = client.status_page is StatusPageAccess.LINK
    context = {
        "page": status,
        "local": _local(status.timezone),
        "private": private,
        "json_url": f"/status/{client.id}.json" + (f"?key={quote(key or '')}" if private else ""),
        "days": DAYS,
        "bar": {"width": _BAR_WIDTH, "step": _BAR_WIDTH + _BAR_GAP, "height": _BAR_HEIGHT},
    }
    response = page(request, "status/page.html", context)
    response.headers.update(_headers(client))
    return response
