"""Service functions of the slas domain (STYLE 25): calendars, SLAs, accounting policies, priority
targets and maintenance windows, for the API, the CLI and the web console.

Every function takes the caller's `Principal`; another client's object answers 404 exactly like a
missing one, and only provider staff change anything (403 for viewers, after the look-up). A
provider calendar (`client_id` None) is seen by staff only, and may serve any client's SLA.

The incidents domain imports `covering_sla`, `calendar_for` and `target_for`: keep those names.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.estate.models import Service
from pysteward.server.estate.service import keyset_page
from pysteward.server.pagination import PageParams
from pysteward.server.principal import Principal
from pysteward.server.slas import accounting, maintenance
from pysteward.server.slas.calendar import Calendar, CalendarError
from pysteward.server.slas.models import (
    AccountingPolicy,
    BurnAlert,
    BusinessCalendar,
    Clock,
    MaintenanceWindow,
    Priority,
    PriorityTarget,
    Sla,
    TargetUnit,
)
from pysteward.server.slas.schemas import (
    CalendarCreate,
    CalendarUpdate,
    MaintenanceCreate,
    MaintenancePublic,
    PolicyCreate,
    PolicyPublic,
    SlaCreate,
    SlaDetail,
    SlaFilters,
    SlaPublic,
    SlaUpdate,
    TargetPublic,
    TargetSet,
)
from pysteward.server.tenancy.auth import require_writer
from pysteward.server.tenancy.models import Client

__all__ = [
    "DEFAULT_TARGETS",
    "calendar_for",
    "change_policy",
    "covering_sla",
    "create_calendar",
    "create_maintenance",
    "create_sla",
    "delete_calendar",
    "delete_maintenance",
    "delete_sla",
    "get_calendar_for",
    "get_sla_for",
    "list_burn_alerts",
    "list_calendars",
    "list_maintenance",
    "list_policies",
    "list_slas",
    "maintenance_spec",
    "policy_for",
    "policy_public",
    "policy_value",
    "set_target",
    "show_sla",
    "sla_public",
    "target_for",
    "update_calendar",
    "update_sla",
]

_ALWAYS, _BUSINESS = Clock.ALWAYS, Clock.BUSINESS
DEFAULT_TARGETS: dict[Priority, TargetSet] = {
    Priority.P1: TargetSet(
        response_amount=15, response_unit=TargetUnit.MINUTES, response_clock=_ALWAYS,
        resolution_amount=4, resolution_unit=TargetUnit.HOURS, resolution_clock=_ALWAYS,
    ),
    Priority.P2: TargetSet(
        response_amount=1, response_unit=TargetUnit.HOURS, response_clock=_ALWAYS,
        resolution_amount=8, resolution_unit=TargetUnit.HOURS, resolution_clock=_ALWAYS,
    ),
    Priority.P3: TargetSet(
        response_amount=4, response_unit=TargetUnit.HOURS, response_clock=_BUSINESS,
        resolution_amount=3, resolution_unit=TargetUnit.DAYS, resolution_clock=_BUSINESS,
    ),
    Priority.P4: TargetSet(
        response_amount=1, response_unit=TargetUnit.DAYS, response_clock=_BUSINESS,
        resolution_amount=10, resolution_unit=TargetUnit.DAYS, resolution_clock=_BUSINESS,
    ),
}  # fmt: skip
"""The targets a new SLA starts with (docs/server-slas.md, "Defaults")."""
_NOT_NULL = ("name", "target", "window", "timezone", "starts_at")


# Visibility -------------------------------------------------------------------------------------


def _full_provider(principal: Principal) -> bool:
    return principal.is_provider and principal.client_id is None


def _sees_calendar(principal: Principal, client_id: int | None) -> bool:
    return principal.is_provider if client_id is None else principal.sees_client(client_id)


def _visible_client(session: Session, principal: Principal, client_id: int) -> None:
    if session.get(Client, client_id) is None or not principal.sees_client(client_id):
        raise ApiError(404, f"client {client_id} not found")


def _commit_or_conflict(session: Session, message: str) -> None:
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ApiError(409, message) from None


# Calendars --------------------------------------------------------------------------------------


def _calendar_spec(timezone: str, weekly_hours: dict[str, list[list[str]]], holidays: list[str]) -> None:
    try:
        Calendar.from_spec(timezone=timezone, weekly_hours=weekly_hours, holidays=holidays)
    except CalendarError as e:
        raise ApiError(422, f"body.{e}") from None


def get_calendar_for(session: Session, principal: Principal, calendar_id: int) -> BusinessCalendar:
    """The calendar `calendar_id` if `principal` sees it; 404 otherwise."""
    row = session.get(BusinessCalendar, calendar_id)
    if row is None or not _sees_calendar(principal, row.client_id):
        raise ApiError(404, f"calendar {calendar_id} not found")
    return row


def list_calendars(
    session: Session, *, principal: Principal, page: PageParams
) -> tuple[list[BusinessCalendar], int | None]:
    """One page of the calendars `principal` sees: their client's, and the provider's for staff."""
    query = select(BusinessCalendar)
    if not _full_provider(principal):
        condition: ColumnElement[bool] = BusinessCalendar.client_id == principal.client_id
        if principal.is_provider:
            condition = or_(condition, BusinessCalendar.client_id.is_(None))
        query = query.where(condition)
    rows, next_after = keyset_page(session, query, page, BusinessCalendar.id)
    return [row[0] for row in rows], next_after


def create_calendar(
    session: Session, *, principal: Principal, data: CalendarCreate, now: datetime
) -> BusinessCalendar:
    """A new calendar; 404 for a client `principal` does not see, 422 naming a bad field."""
    require_writer(principal)
    if data.client_id is not None:
        _visible_client(session, principal, data.client_id)
    elif not _full_provider(principal):
        raise ApiError(403, "only unrestricted provider staff create provider calendars")
    _calendar_spec(data.timezone, data.weekly_hours, data.holidays)
    row = BusinessCalendar(**data.model_dump(), created_at=now)
    session.add(row)
    session.commit()
    return row


def update_calendar(
    session: Session, *, principal: Principal, calendar_id: int, data: CalendarUpdate
) -> BusinessCalendar:
    """Apply the given (non-null) fields, checking the resulting calendar as a whole."""
    row = get_calendar_for(session, principal, calendar_id)
    require_writer(principal)
    changes = data.model_dump(exclude_none=True)
    _calendar_spec(
        changes.get("timezone", row.timezone),
        changes.get("weekly_hours", row.weekly_hours),
        changes.get("holidays", row.holidays),
    )
    for field, value in changes.items():
        setattr(row, field, value)
    session.commit()
    return row


def delete_calendar(session: Session, *, principal: Principal, calendar_id: int) -> None:
    """Delete a calendar; SLAs using it fall back to office hours in their time zone."""
    row = get_calendar_for(session, principal, calendar_id)
    require_writer(principal)
    session.delete(row)
    session.commit()


def calendar_for(session: Session, sla: Sla) -> Calendar:
    """The business calendar of `sla`'s business-clock targets (office hours in its time zone if none)."""
    row = session.get(BusinessCalendar, sla.calendar_id) if sla.calendar_id is not None else None
    if row is None:
        return Calendar.office_hours(sla.timezone)
    return Calendar.from_spec(timezone=row.timezone, weekly_hours=row.weekly_hours, holidays=row.holidays)


# SLAs -------------------------------------------------------------------------------------------


def sla_public(sla: Sla) -> SlaPublic:
    """The API view of `sla`, its target as the decimal it was given."""
    values = {name: getattr(sla, name) for name in SlaPublic.model_fields if name != "target"}
    return SlaPublic(**values, target=Decimal(str(sla.target)))


def get_sla_for(session: Session, principal: Principal, sla_id: int) -> Sla:
    """The SLA `sla_id` if `principal` sees its client; 404 otherwise."""
    sla = session.get(Sla, sla_id)
    if sla is None or not principal.sees_client(sla.client_id):
        raise ApiError(404, f"SLA {sla_id} not found")
    return sla


def _visible_slas(principal: Principal) -> Select[Sla]:
    query = select(Sla)
    return query if _full_provider(principal) else query.where(Sla.client_id == principal.client_id)


def list_slas(
    session: Session, *, principal: Principal, filters: SlaFilters, page: PageParams
) -> tuple[list[Sla], int | None]:
    """One page of the SLAs `principal` sees, narrowed by `filters`."""
    query = _visible_slas(principal)
    if filters.client_id is not None:
        query = query.where(Sla.client_id == filters.client_id)
    if filters.service_id is not None:
        query = query.where(Sla.service_id == filters.service_id)
    rows, next_after = keyset_page(session, query, page, Sla.id)
    return [row[0] for row in rows], next_after


def _check_links(session: Session, client_id: int, changes: dict[str, Any]) -> None:
    """422 unless the service, calendar and escalation policy in `changes` may serve `client_id`."""
    from pysteward.server.incidents.models import EscalationPolicy

    service_id = changes.get("service_id")
    if service_id is not None:
        service = session.get(Service, service_id)
        if service is None or service.client_id != client_id:
            raise ApiError(422, f"body.service_id: no service {service_id} of client {client_id}")
    for field, model in (("calendar_id", BusinessCalendar), ("escalation_policy_id", EscalationPolicy)):
        linked = changes.get(field)
        if linked is None:
            continue
        found = session.execute(select(model.client_id).where(model.id == linked)).first()
        if found is None or found[0] not in (None, client_id):
            raise ApiError(
                422, f"body.{field}: no {field.removesuffix('_id')} {linked} for client {client_id}"
            )


def _refuse_second_sla(session: Session, client_id: int, service_id: int | None) -> None:
    if service_id is None:
        query = select(Sla.id).where(Sla.client_id == client_id, Sla.service_id.is_(None))
        what = f"client {client_id} already has a client-wide SLA"
    else:
        query = select(Sla.id).where(Sla.service_id == service_id)
        what = f"service {service_id} already has an SLA"
    found = session.scalar(query.limit(1))
    if found is not None:
        raise ApiError(409, f"{what} (id {found})")


def create_sla(session: Session, *, principal: Principal, data: SlaCreate, now: datetime) -> Sla:
    """A new SLA with policy version 1 and the four priority targets (defaults unless given)."""
    require_writer(principal)
    _visible_client(session, principal, data.client_id)
    _check_links(session, data.client_id, data.model_dump())
    _refuse_second_sla(session, data.client_id, data.service_id)
    values = data.model_dump(exclude={"policy", "targets", "target", "starts_at"})
    sla = Sla(**values, target=float(data.target), starts_at=data.starts_at or now, created_at=now)
    session.add(sla)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ApiError(409, "another SLA was just created for the same scope") from None
    policy = data.policy or PolicyCreate()
    session.add(AccountingPolicy(sla_id=sla.id, version=1, effective_from=now, created_by=principal.actor_id,
                                 **policy.model_dump()))  # fmt: skip
    for priority, default in DEFAULT_TARGETS.items():
        chosen = (data.targets or {}).get(priority, default)
        session.add(PriorityTarget(sla_id=sla.id, priority=priority, **chosen.model_dump()))
    session.commit()
    return sla


def update_sla(session: Session, *, principal: Principal, sla_id: int, data: SlaUpdate) -> Sla:
    """Apply the given fields; the nullable links and priorities may be cleared with null."""
    sla = get_sla_for(session, principal, sla_id)
    require_writer(principal)
    changes = {
        k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None or k not in _NOT_NULL
    }
    _check_links(session, sla.client_id, changes)
    if "target" in changes:
        changes["target"] = float(changes["target"])
    for field, value in changes.items():
        setattr(sla, field, value)
    session.commit()
    return sla


def delete_sla(session: Session, *, principal: Principal, sla_id: int) -> None:
    """Delete an SLA with its policies, targets, windows, stored figures and alerts."""
    sla = get_sla_for(session, principal, sla_id)
    require_writer(principal)
    session.delete(sla)
    session.commit()


def show_sla(session: Session, *, principal: Principal, sla_id: int, now: datetime) -> SlaDetail:
    """One SLA with the policy in effect `now`, its targets and its maintenance windows."""
    sla = get_sla_for(session, principal, sla_id)
    targets = session.scalars(
        select(PriorityTarget).where(PriorityTarget.sla_id == sla.id).order_by(PriorityTarget.priority)
    )
    windows = session.scalars(
        select(MaintenanceWindow).where(MaintenanceWindow.sla_id == sla.id).order_by(MaintenanceWindow.id)
    )
    return SlaDetail(
        **sla_public(sla).model_dump(),
        policy=policy_public(policy_for(session, sla, now)),
        targets=[TargetPublic.model_validate(t) for t in targets],
        maintenance=[MaintenancePublic.model_validate(w) for w in windows],
    )


def covering_sla(session: Session, *, service_id: int) -> Sla | None:
    """The SLA covering `service_id`: its own, else its client's client-wide one, else None."""
    own = session.scalar(select(Sla).where(Sla.service_id == service_id).order_by(Sla.id).limit(1))
    if own is not None:
        return own
    client_id = select(Service.client_id).where(Service.id == service_id).scalar_subquery()
    query = select(Sla).where(Sla.client_id == client_id, Sla.service_id.is_(None))
    return session.scalar(query.order_by(Sla.id).limit(1))


# Policies and targets ---------------------------------------------------------------------------


def policy_value(row: AccountingPolicy) -> accounting.Policy:
    """The accounting module's value of a stored policy version."""
    return accounting.Policy(
        version=row.version,
        unknown_as=row.unknown_as,
        degraded_as=row.degraded_as,
        combine=row.combine,
        decimals=row.decimals,
        rounding=row.rounding,
    )


def policy_public(row: AccountingPolicy) -> PolicyPublic:
    """The API view of a policy version, described in words and as a formula."""
    value = policy_value(row)
    fields = {name: getattr(row, name) for name in PolicyPublic.model_fields if hasattr(row, name)}
    return PolicyPublic(**fields, description=value.describe(), formula=value.formula())


def policy_for(session: Session, sla: Sla, at: datetime) -> AccountingPolicy:
    """The version in effect at `at`: the latest with `effective_from <= at` (version 1 before any)."""
    versions = select(AccountingPolicy).where(AccountingPolicy.sla_id == sla.id)
    found = session.scalar(
        versions.where(AccountingPolicy.effective_from <= at)
        .order_by(AccountingPolicy.version.desc())
        .limit(1)
    )
    return found or session.scalars(versions.order_by(AccountingPolicy.version).limit(1)).one()


def list_policies(
    session: Session, *, principal: Principal, sla_id: int, page: PageParams
) -> tuple[list[AccountingPolicy], int | None]:
    """One page of an SLA's policy versions, oldest first."""
    sla = get_sla_for(session, principal, sla_id)
    query = select(AccountingPolicy).where(AccountingPolicy.sla_id == sla.id)
    rows, next_after = keyset_page(session, query, page, AccountingPolicy.id)
    return [row[0] for row in rows], next_after


def change_policy(
    session: Session, *, principal: Principal, sla_id: int, data: PolicyCreate, now: datetime
) -> AccountingPolicy:
    """Add version n+1, in effect from `now`; earlier versions and stored figures stay as they are."""
    sla = get_sla_for(session, principal, sla_id)
    require_writer(principal)
    latest = session.scalar(
        select(func.max(AccountingPolicy.version)).where(AccountingPolicy.sla_id == sla.id)
    )
    row = AccountingPolicy(
        sla_id=sla.id, version=(latest or 0) + 1, effective_from=now, created_by=principal.actor_id,
        **data.model_dump(),
    )  # fmt: skip
    session.add(row)
    _commit_or_conflict(session, "the policy changed at the same time; read it again and retry")
    return row


def target_for(session: Session, *, sla_id: int, priority: Priority) -> PriorityTarget | None:
    """The response and resolution targets of `priority` under SLA `sla_id`, if set."""
    return session.get(PriorityTarget, (sla_id, priority))


def set_target(
    session: Session, *, principal: Principal, sla_id: int, priority: Priority, data: TargetSet
) -> PriorityTarget:
    """Replace the targets of one priority (open incidents keep the deadlines they were given)."""
    sla = get_sla_for(session, principal, sla_id)
    require_writer(principal)
    row = target_for(session, sla_id=sla.id, priority=priority)
    if row is None:
        row = PriorityTarget(sla_id=sla.id, priority=priority)
        session.add(row)
    for field, value in data.model_dump().items():
        setattr(row, field, value)
    _commit_or_conflict(session, f"the {priority.value} targets changed at the same time; retry")
    return row


# Maintenance windows and alerts -----------------------------------------------------------------


def maintenance_spec(row: MaintenanceWindow | MaintenanceCreate) -> maintenance.MaintenanceSpec:
    """The maintenance module's value of a stored or submitted window."""
    return maintenance.MaintenanceSpec(
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        expression=row.expression,
        duration=timedelta(minutes=row.duration_minutes),
        timezone=row.timezone,
    )


def create_maintenance(
    session: Session, *, principal: Principal, sla_id: int, data: MaintenanceCreate, now: datetime
) -> MaintenanceWindow:
    """A new maintenance window of an SLA; 422 naming the field that does not make sense."""
    sla = get_sla_for(session, principal, sla_id)
    require_writer(principal)
    try:
        maintenance.validate(maintenance_spec(data))
    except maintenance.MaintenanceError as e:
        raise ApiError(422, f"body.{e}") from None
    row = MaintenanceWindow(sla_id=sla.id, **data.model_dump(), created_at=now)
    session.add(row)
    session.commit()
    return row


def list_maintenance(
    session: Session, *, principal: Principal, sla_id: int, page: PageParams
) -> tuple[list[MaintenanceWindow], int | None]:
    """One page of an SLA's maintenance windows."""
    sla = get_sla_for(session, principal, sla_id)
    query = select(MaintenanceWindow).where(MaintenanceWindow.sla_id == sla.id)
    rows, next_after = keyset_page(session, query, page, MaintenanceWindow.id)
    return [row[0] for row in rows], next_after


def delete_maintenance(session: Session, *, principal: Principal, sla_id: int, window_id: int) -> None:
    """Delete a maintenance window (stored figures of closed periods keep what it excluded)."""
    sla = get_sla_for(session, principal, sla_id)
    row = session.get(MaintenanceWindow, window_id)
    if row is None or row.sla_id != sla.id:
        raise ApiError(404, f"maintenance window {window_id} not found")
    require_writer(principal)
    session.delete(row)
    session.commit()


def list_burn_alerts(
    session: Session, *, principal: Principal, sla_id: int, open_only: bool, page: PageParams
) -> tuple[list[BurnAlert], int | None]:
    """One page of an SLA's burn-rate alerts, oldest first; only open ones with `open_only`."""
    sla = get_sla_for(session, principal, sla_id)
    condition = BurnAlert.cleared_at.is_(None) if open_only else true()
    query = select(BurnAlert).where(BurnAlert.sla_id == sla.id, condition)
    rows, next_after = keyset_page(session, query, page, BurnAlert.id)
    return [row[0] for row in rows], next_after
