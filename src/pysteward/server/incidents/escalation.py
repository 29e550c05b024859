"""Escalation: who is told, and when, while an incident stays unacknowledged.

A policy's steps each fire `after_minutes` after the incident opened (or reopened); after the last
step the whole round repeats `repeat_times` times, `repeat_after_minutes` after the last step. The
n-th firing of that schedule is a pure function of the anchor time and the policy, so the incident
keeps only how many have fired and when the next is due (`next_escalation_at`): a restart resumes
exactly where it stopped, and acknowledging clears the next time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.incidents.models import EscalationPolicy, EscalationStep, Incident, IncidentStatus

__all__ = ["fire_time", "run_escalations", "start", "stop"]


def steps_of(session: Session, policy_id: int) -> list[EscalationStep]:
    """The policy's steps in order."""
    query = (
        select(EscalationStep).where(EscalationStep.policy_id == policy_id).order_by(EscalationStep.position)
    )
    return list(session.scalars(query))


def fire_time(
    anchor: datetime, policy: EscalationPolicy, steps: Sequence[EscalationStep], n: int
) -> tuple[datetime, EscalationStep] | None:
    """When the `n`-th firing (from 0) of the schedule happens and its step; None past the end."""
    if not steps or n >= len(steps) * (1 + policy.repeat_times):
        return None
    round_, index = divmod(n, len(steps))
    ordered = sorted(steps, key=lambda step: step.after_minutes)
    round_minutes = ordered[-1].after_minutes + policy.repeat_after_minutes
    step = ordered[index]
    return anchor + timedelta(minutes=round_ * round_minutes + step.after_minutes), step


def start(session: Session, incident: Incident, *, anchor: datetime) -> None:
    """Start (or restart, on reopening) the incident's escalation from `anchor`."""
    incident.escalation_anchor_at, incident.escalations_fired = anchor, 0
    incident.next_escalation_at = None
    if incident.escalation_policy_id is None:
        return
    policy = session.get(EscalationPolicy, incident.escalation_policy_id)
    if policy is None:
        return
    first = fire_time(anchor, policy, steps_of(session, policy.id), 0)
    incident.next_escalation_at = first[0] if first is not None else None


def stop(incident: Incident) -> None:
    """No more escalation (acknowledged or resolved)."""
    incident.next_escalation_at = None


def run_escalations(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Fire every escalation step due at `now` of triggered incidents; how many fired. Commits.

    Steps missed while Steward was stopped fire once each, in order, at the next tick.
    """
    from pysteward.server.incidents.service import add_event
    from pysteward.server.notify.delivery import notify_targets

    query = (
        select(Incident)
        .where(
            Incident.status == IncidentStatus.TRIGGERED,
            Incident.next_escalation_at.is_not(None),
            Incident.next_escalation_at <= now,
        )
        .order_by(Incident.next_escalation_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    fired = 0
    for incident in session.scalars(query).all():
        policy = session.get(EscalationPolicy, incident.escalation_policy_id or 0)
        steps = steps_of(session, policy.id) if policy is not None else []
        while (
            policy is not None
            and incident.next_escalation_at is not None
            and incident.next_escalation_at <= now
        ):
            due = fire_time(
                incident.escalation_anchor_at or incident.opened_at, policy, steps, incident.escalations_fired
            )
            if due is None:
                break
            at, step = due
            title = f"[{incident.priority.value}] Escalation: {incident.title} (unacknowledged)"
            body = (
                f"Incident #{incident.id} is still unacknowledged {_minutes(incident, at)} after it opened."
            )
            notify_targets(
                session,
                channel_ids=[step.channel_id] if step.channel_id is not None else [],
                user_ids=[step.user_id] if step.user_id is not None else [],
                client_id=incident.client_id,
                incident_id=incident.id,
                event="incident.escalated",
                title=title[:300],
                body=body,
                now=now,
            )
            add_event(
                session,
                incident,
                "escalated",
                at=now,
                details={
                    "step": step.position,
                    "round": incident.escalations_fired // max(len(steps), 1),
                    "channel_id": step.channel_id,
                    "user_id": step.user_id,
                    "due_at": at.isoformat(),
                },
            )
            incident.escalations_fired += 1
            nxt = fire_time(
                incident.escalation_anchor_at or incident.opened_at, policy, steps, incident.escalations_fired
            )
            incident.next_escalation_at = nxt[0] if nxt is not None else None
            fired += 1
        if policy is None:
            incident.next_escalation_at = None
    session.commit()
    return fired


def _minutes(incident: Incident, at: datetime) -> str:
    anchor = incident.escalation_anchor_at or incident.opened_at
    return f"{int((at - anchor).total_seconds() // 60)} min"
