"""Service functions for the estate (STYLE 25): the API, the CLI and the web console call these.

Every function takes the caller's `Principal`; a service of a client the caller cannot see answers
404 exactly like a missing one, so its existence is not revealed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, cast, column, exists, func, literal, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.estate.models import Service
from pysteward.server.estate.schemas import ServiceCreate, ServiceFilters, ServiceUpdate
from pysteward.server.pagination import MAX_BIG_ID, MAX_ID, PageParams
from pysteward.server.principal import Principal
from pysteward.server.tenancy.auth import require_writer
from pysteward.server.tenancy.models import Client

__all__ = [
    "create_service",
    "delete_service",
    "get_service_for",
    "has_tag",
    "keyset_page",
    "list_services",
    "update_service",
    "visible_clients",
]


def visible_clients(principal: Principal) -> ColumnElement[bool]:
    """A condition on `Service.client_id` keeping only what `principal` may see."""
    if principal.is_provider and principal.client_id is None:
        return true()
    return Service.client_id == principal.client_id


def has_tag(session: Session, tag: str) -> ColumnElement[bool]:
    """A condition: the service's `tags` list holds `tag` (JSON arrays differ per engine)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(Service.tags, JSONB).contains([tag])
    elements = func.json_each(Service.tags).table_valued("value").alias("tag")
    return exists(select(literal(1)).select_from(elements).where(column("value") == tag))


def keyset_page(
    session: Session, query: Select[*tuple[Any, ...]], page: PageParams, key: Any
) -> tuple[list[Any], int | None]:
    """Run `query` for one page ordered by `key`; the rows and the `after` of the next page."""
    if page.after is not None:
        if page.after >= _largest_id(key):
            # No row has a larger id, and PostgreSQL refuses an INTEGER parameter above its range.
            return [], None
        query = query.where(key > page.after)
    rows = list(session.execute(query.order_by(key).limit(page.limit + 1)))
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return rows, (_first_id(rows[-1]) if more else None)


def _largest_id(key: Any) -> int:
    return MAX_BIG_ID if isinstance(key.type, BigInteger) else MAX_ID


def _first_id(row: Any) -> int:
    first = row[0]
    return int(first if isinstance(first, int) else first.id)


def list_services(
    session: Session, *, principal: Principal, filters: ServiceFilters, page: PageParams
) -> tuple[list[Service], int | None]:
    """One page of the services `principal` sees, narrowed by `filters`."""
    query = select(Service).where(visible_clients(principal))
    if filters.client_id is not None:
        query = query.where(Service.client_id == filters.client_id)
    if filters.environment is not None:
        query = query.where(Service.environment == filters.environment)
    if filters.tag is not None:
        query = query.where(has_tag(session, filters.tag))
    rows, next_after = keyset_page(session, query, page, Service.id)
    return [row[0] for row in rows], next_after


def get_service_for(session: Session, principal: Principal, service_id: int) -> Service:
    """The service `service_id` if `principal` sees it; 404 otherwise."""
    service = session.get(Service, service_id)
    if service is None or not principal.sees_client(service.client_id):
        raise ApiError(404, f"service {service_id} not found")
    return service


def _visible_client(session: Session, principal: Principal, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None or not principal.sees_client(client_id):
        raise ApiError(404, f"client {client_id} not found")
    return client


def _refuse_duplicate(
    session: Session, client_id: int, name: str, environment: str, own_id: int | None
) -> None:
    query = select(Service.id).where(
        Service.client_id == client_id, Service.name == name, Service.environment == environment
    )
    found = session.scalar(query)
    if found is not None and found != own_id:
        raise ApiError(409, f"the client already has a service {name!r} in {environment!r} (id {found})")


def _commit(session: Session, name: str, environment: str) -> None:
    try:
        session.commit()
    except IntegrityError:
        # A concurrent request created the same service between our check and this commit.
        session.rollback()
        raise ApiError(409, f"the client already has a service {name!r} in {environment!r}") from None


def create_service(session: Session, *, principal: Principal, data: ServiceCreate, now: datetime) -> Service:
    """Create a service of a client `principal` sees; 404 for an unseen client, 409 for a duplicate."""
    _visible_client(session, principal, data.client_id)
    _refuse_duplicate(session, data.client_id, data.name, data.environment, None)
    service = Service(**data.model_dump(), created_at=now)
    session.add(service)
    _commit(session, data.name, data.environment)
    return service


def update_service(
    session: Session, *, principal: Principal, service_id: int, data: ServiceUpdate
) -> Service:
    """Apply the given (non-null) fields of `data`; 409 if the new name and environment are taken."""
    service = get_service_for(session, principal, service_id)
    require_writer(principal)  # after the look-up: another client's service answers 404, not 403
    changes = data.model_dump(exclude_none=True)
    name = changes.get("name", service.name)
    environment = changes.get("environment", service.environment)
    _refuse_duplicate(session, service.client_id, name, environment, service.id)
    for field, value in changes.items():
        setattr(service, field, value)
    _commit(session, name, environment)
    return service


def delete_service(session: Session, *, principal: Principal, service_id: int) -> None:
    """Delete a service and, through the database's cascade, its monitors and their history."""
    service = get_service_for(session, principal, service_id)
    require_writer(principal)
    session.delete(service)
    session.commit()
