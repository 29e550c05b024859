"""Heartbeat push URLs: `/ping/{token}` (success), `/ping/{token}/start`, `/ping/{token}/fail`.

No authentication: the token is the secret. GET and POST both work, so `curl -fsS URL` and webhook
senders alike can ping. Unknown tokens answer 404; the body is a tiny "ok" otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from pysteward.server.deps import DbSession
from pysteward.server.errors import ApiError
from pysteward.server.monitors.heartbeats import Signal, record_heartbeat
from pysteward.store.base import utcnow

__all__ = ["router"]

router = APIRouter(prefix="/ping", tags=["heartbeats"])


def _signal(session: DbSession, token: str, signal: Signal) -> PlainTextResponse:
    if record_heartbeat(session, token=token, signal=signal, now=utcnow()) is None:
        raise ApiError(404, "no heartbeat monitor has this token")
    return PlainTextResponse("ok")


_SIGNALS = (
    ("", Signal.SUCCESS, "success", "Signal a successful run"),
    ("/start", Signal.START, "start", "Signal the start of a run (a later success measures its duration)"),
    ("/fail", Signal.FAIL, "fail", "Signal a failed run"),
)


def _endpoint(signal: Signal) -> Callable[[str, Session], PlainTextResponse]:
    def endpoint(token: str, session: DbSession) -> PlainTextResponse:
        return _signal(session, token, signal)

    return endpoint


# One route per method, so each has its own OpenAPI operation id.
for suffix, _kind, name, summary in _SIGNALS:
    for method in ("GET", "POST"):
        router.add_api_route(
            f"/{{token}}{suffix}",
            _endpoint(_kind),
            methods=[method],
            name=f"ping_{name}_{method.lower()}",
            operation_id=f"ping_{name}_{method.lower()}",
            summary=summary,
            response_class=PlainTextResponse,
            responses={404: {"description": "No heartbeat monitor has this token"}},
        )
