"""`GET /clients/{client_id}/evidence?period=2026-11`: the client's compliance evidence pack as a zip.

Whoever sees the client may export its pack (a client viewer their own client's; another client
answers 404 as a missing one does). The pack is built by `evidence.export_pack` (docs/evidence-pack.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from pysteward.server.deps import CurrentUser, DbSession
from pysteward.server.errors import error_responses
from pysteward.server.estate.schemas import SafeText
from pysteward.server.pagination import PathId
from pysteward.server.reports.evidence import PERIOD_FORMS, export_pack
from pysteward.store.base import utcnow

__all__ = ["ZIP", "router", "zip_response"]

router = APIRouter()
ZIP = "application/zip"
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {ZIP: {}}, "description": "The evidence pack (a zip file)."},
    **error_responses(401, 404, 422),
}


def zip_response(filename: str, content: bytes) -> Response:
    """`content` as a zip download named `filename` (an ASCII name, as `pack_filename` makes)."""
    return Response(
        content,
        media_type=ZIP,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get(
    "/clients/{client_id}/evidence",
    summary="Compliance evidence pack",
    response_class=Response,
    responses=_RESPONSES,
)
def get_evidence_pack(
    session: DbSession,
    principal: CurrentUser,
    client_id: PathId,
    period: Annotated[
        SafeText,
        Query(max_length=16, description=f"The period: {PERIOD_FORMS} (the last full month by default)."),
    ] = "previous",
) -> Response:
    """A zip of the period's archived reports and CSV/JSON evidence mapped to NIST SP 800-53 and SOC 2
    controls, with an index and a SHA-256 manifest; a month without an archived report gets one first."""
    filename, content = export_pack(
        session, principal=principal, client_id=client_id, period=period, now=utcnow()
    )
    return zip_response(filename, content)
