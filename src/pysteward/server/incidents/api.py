"""JSON routes of the incidents domain (filled in by issue 5)."""

from __future__ import annotations

from fastapi import APIRouter

from pysteward.server.errors import error_responses

__all__ = ["router"]

router = APIRouter(tags=["incidents"], responses=error_responses(400, 401, 422))
