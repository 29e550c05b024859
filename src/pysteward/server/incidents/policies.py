"""Escalation policies: create, read, change and delete, within tenancy.

A policy for one client (`client_id`) is seen by that client's viewers; a provider-wide one
(`client_id` None) by provider staff only. Steps name a channel or a provider user; a channel of
another client is refused, so a policy never leaks one client's incidents to another's channel.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.estate.service import keyset_page
from pysteward.server.incidents.escalation import steps_of
from pysteward.server.incidents.models import EscalationPolicy, EscalationStep
from pysteward.server.incidents.schemas import (
    EscalationPolicyCreate,
    EscalationPolicyPublic,
    EscalationPolicyUpdate,
    StepIn,
    StepPublic,
)
from pysteward.server.notify.models import Channel
from pysteward.server.pagination import PageParams
from pysteward.server.principal import Principal
from pysteward.server.tenancy.auth import require_writer
from pysteward.server.tenancy.models import Client, Role, User

__all__ = ["create_policy", "delete_policy", "list_policies", "show_policy", "update_policy"]


def _sees(principal: Principal, client_id: int | None) -> bool:
    if client_id is None:
        return principal.is_provider and principal.client_id is None
    return principal.sees_client(client_id)


def _get(session: Session, principal: Principal, policy_id: int) -> EscalationPolicy:
    policy = session.get(EscalationPolicy, policy_id)
    if policy is None or not _sees(principal, policy.client_id):
        raise ApiError(404, f"escalation policy {policy_id} not found")
    return policy


def _public(session: Session, policy: EscalationPolicy) -> EscalationPolicyPublic:
    steps = [
        StepPublic(
            position=s.position, after_minutes=s.after_minutes, channel_id=s.channel_id, user_id=s.user_id
        )
        for s in steps_of(session, policy.id)
    ]
    return EscalationPolicyPublic(
        id=policy.id,
        client_id=policy.client_id,
        name=policy.name,
        repeat_times=policy.repeat_times,
        repeat_after_minutes=policy.repeat_after_minutes,
        steps=steps,
    )


def _check_steps(session: Session, client_id: int | None, steps: Sequence[StepIn]) -> None:
    for index, step in enumerate(steps):
        if step.channel_id is not None:
            channel = session.get(Channel, step.channel_id)
            if channel is None or channel.client_id not in (None, client_id):
                raise ApiError(422, f"steps.{index}.channel_id: channel {step.channel_id} not found")
        if step.user_id is not None:
            user = session.get(User, step.user_id)
            if user is None or user.role is Role.VIEWER:
                raise ApiError(422, f"steps.{index}.user_id: must be a provider user (admin or engineer)")


def _replace_steps(session: Session, policy: EscalationPolicy, steps: Sequence[StepIn]) -> None:
    session.execute(delete(EscalationStep).where(EscalationStep.policy_id == policy.id))
    for position, step in enumerate(sorted(steps, key=lambda s: s.after_minutes), start=1):
        session.add(
            EscalationStep(
                policy_id=policy.id,
                position=position,
                after_minutes=step.after_minutes,
                channel_id=step.channel_id,
                user_id=step.user_id,
            )
        )


def create_policy(
    session: Session, *, principal: Principal, body: EscalationPolicyCreate
) -> EscalationPolicyPublic:
    """A new policy (provider staff)."""
    require_writer(principal)
    if body.client_id is not None and (session.get(Client, body.client_id) is None):
        raise ApiError(422, f"client_id: client {body.client_id} not found")
    _check_steps(session, body.client_id, body.steps)
    policy = EscalationPolicy(
        client_id=body.client_id,
        name=body.name,
        repeat_times=body.repeat_times,
        repeat_after_minutes=body.repeat_after_minutes,
    )
    session.add(policy)
    session.flush()
    _replace_steps(session, policy, body.steps)
    session.commit()
    return _public(session, policy)


def list_policies(
    session: Session, *, principal: Principal, page: PageParams
) -> tuple[list[EscalationPolicyPublic], int | None]:
    """One page of the policies `principal` sees."""
    query = select(EscalationPolicy)
    if not (principal.is_provider and principal.client_id is None):
        query = query.where(EscalationPolicy.client_id == principal.client_id)
    rows, next_after = keyset_page(session, query, page, EscalationPolicy.id)
    return [_public(session, row[0]) for row in rows], next_after


def show_policy(session: Session, *, principal: Principal, policy_id: int) -> EscalationPolicyPublic:
    """One policy; 404 when `principal` does not see it."""
    return _public(session, _get(session, principal, policy_id))


def update_policy(
    session: Session, *, principal: Principal, policy_id: int, body: EscalationPolicyUpdate
) -> EscalationPolicyPublic:
    """Change a policy; new steps apply to escalations started afterwards and to the next firing."""
    policy = _get(session, principal, policy_id)
    require_writer(principal)
    for name in ("name", "repeat_times", "repeat_after_minutes"):
        value = getattr(body, name)
        if value is not None:
            setattr(policy, name, value)
    if body.steps is not None:
        _check_steps(session, policy.client_id, body.steps)
        _replace_steps(session, policy, body.steps)
    session.commit()
    return _public(session, policy)


def delete_policy(session: Session, *, principal: Principal, policy_id: int) -> None:
    """Delete a policy; incidents and SLAs using it stop escalating."""
    policy = _get(session, principal, policy_id)
    require_writer(principal)
    session.delete(policy)
    session.commit()
