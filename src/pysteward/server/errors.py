"""Uniform API errors (STYLE 30): every error body is `{"error": {"code", "message", "details"}}`.

Validation errors become fixed human sentences naming the field (`body.interval_seconds: must be at
least 10`), never pydantic's internals. `error_responses(404, 409)` documents these answers in a
route's OpenAPI `responses`, so the schema lists every status a client can get.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["ApiError", "ErrorBody", "error_responses", "install_error_handlers"]

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "rate_limited",
}


_DESCRIPTIONS = {
    400: "The body is not readable JSON.",
    401: "Not authenticated.",
    403: "The caller's role may not do this.",
    404: "No such object, or another client's.",
    409: "Conflicts with the current state.",
    422: "The request is invalid; `details` names each field.",
    429: "Too many attempts; `Retry-After` says when to try again.",
}


class ErrorDetail(BaseModel):
    """One invalid field."""

    field: str
    message: str


class ErrorInfo(BaseModel):
    """What went wrong: a stable `code`, a human `message`, and per-field `details`."""

    code: str
    message: str
    details: list[ErrorDetail]


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: ErrorInfo


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` declaring `statuses` with the error body (422 replaces FastAPI's own)."""
    return {status: {"model": ErrorBody, "description": _DESCRIPTIONS[status]} for status in statuses}


class ApiError(Exception):
    """An error the API answers with `status`, a stable `code` and a human `message`."""

    def __init__(
        self, status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.headers = headers


def body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one error body shape."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _sentence(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is invalid"))
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through `body`."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> Response:
        if _is_page(request):
            return _page(request, error.status, error.message)
        return JSONResponse(body(error.code, error.message), status_code=error.status, headers=error.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if _is_page(request):
            return _page(request, error.status_code, str(error.detail))
        code = _CODES.get(error.status_code, "error")
        headers = getattr(error, "headers", None)
        return JSONResponse(body(code, str(error.detail)), status_code=error.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        details = [{"field": _location(e["loc"]), "message": _sentence(e)} for e in error.errors()]
        first = details[0] if details else {"field": "", "message": "is invalid"}
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        if _is_page(request):
            return _page(request, 422, message)
        return JSONResponse(body("invalid", message, details), status_code=422)


_JSON_PATHS = ("/api/", "/ping/", "/metrics", "/healthz", "/readyz")


def _is_page(request: Request) -> bool:
    """Console and status pages answer errors as HTML; the API, machine endpoints and `….json`
    documents (a status page's JSON) as JSON."""
    path = request.url.path
    return not path.endswith(".json") and not any(path.startswith(prefix) for prefix in _JSON_PATHS)


_TITLES = {401: "Sign in needed", 403: "Not allowed", 404: "Not found", 422: "That did not work"}


def _page(request: Request, status: int, message: str) -> Response:
    from pysteward.server.web.templating import page

    title = _TITLES.get(status, "Something went wrong")
    sentence = message[:1].upper() + message[1:]
    return page(
        request, "error.html", {"status": status, "title": title, "message": sentence}, status_code=status
    )
