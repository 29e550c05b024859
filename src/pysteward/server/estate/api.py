"""`/services`: the Python systems of each client. Thin routes over `estate.service` (STYLE 25)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from pysteward.server.deps import CurrentUser, DbSession, Writer
from pysteward.server.errors import error_responses
from pysteward.server.estate import service as estate
from pysteward.server.estate.schemas import (
    SafeText,
    ServiceCreate,
    ServiceFilters,
    ServicePublic,
    ServiceUpdate,
)
from pysteward.server.pagination import MAX_ID, Page, Paging, PathId
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(prefix="/services", tags=["services"], responses=error_responses(400, 401, 422))


def _filters(
    client_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this client's services.")
    ] = None,
    environment: Annotated[
        SafeText | None, Query(max_length=64, description="Only this environment.")
    ] = None,
    tag: Annotated[SafeText | None, Query(max_length=64, description="Only services with this tag.")] = None,
) -> ServiceFilters:
    return ServiceFilters(client_id=client_id, environment=environment, tag=tag)


Filters = Annotated[ServiceFilters, Depends(_filters)]


@router.get("", summary="List services")
def list_services(
    session: DbSession, principal: CurrentUser, page: Paging, filters: Filters
) -> Page[ServicePublic]:
    """The services the caller sees, oldest first, one page at a time."""
    items, next_after = estate.list_services(session, principal=principal, filters=filters, page=page)
    return Page(items=[ServicePublic.model_validate(s) for s in items], next_after=next_after)


@router.post("", status_code=201, summary="Create a service", responses=error_responses(403, 404, 409))
def create_service(session: DbSession, principal: Writer, data: ServiceCreate) -> ServicePublic:
    """A new service of a client; 409 if the client has one of that name in that environment."""
    created = estate.create_service(session, principal=principal, data=data, now=utcnow())
    return ServicePublic.model_validate(created)


@router.get("/{service_id}", summary="Show a service", responses=error_responses(404))
def get_service(session: DbSession, principal: CurrentUser, service_id: PathId) -> ServicePublic:
    """One service; 404 if missing or another client's."""
    return ServicePublic.model_validate(estate.get_service_for(session, principal, service_id))


@router.patch("/{service_id}", summary="Change a service", responses=error_responses(403, 404, 409))
def update_service(
    session: DbSession, principal: CurrentUser, service_id: PathId, data: ServiceUpdate
) -> ServicePublic:
    """Change the given fields of a service."""
    updated = estate.update_service(session, principal=principal, service_id=service_id, data=data)
    return ServicePublic.model_validate(updated)


@router.delete(
    "/{service_id}", status_code=204, summary="Delete a service", responses=error_responses(403, 404)
)
def delete_service(session: DbSession, principal: CurrentUser, service_id: PathId) -> Response:
    """Delete a service with its monitors and their history."""
    estate.delete_service(session, principal=principal, service_id=service_id)
    return Response(status_code=204)
