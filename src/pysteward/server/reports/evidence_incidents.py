"""The incident evidence of a pack: incidents with their timelines, pauses and breaches (IR-4, IR-5,
CC7.3–CC7.5), and the notifications sent for them with every attempt (IR-6).

An incident belongs to the period when it was open at some time in it (opened before the end, not
resolved before the start); everything recorded about it up to the pack's generation comes with it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pysteward.server.incidents.models import Breach, Incident, IncidentEvent, IncidentPause
from pysteward.server.notify.models import Channel, Delivery, DeliveryAttempt
from pysteward.server.reports.evidence_controls import Cell, Dataset, Scope, iso, seconds_between
from pysteward.server.slas.models import PriorityTarget

__all__ = ["incident_datasets"]

Row = dict[str, Cell]


def _target_text(amount: int, unit: str, clock: str) -> str:
    return f"{amount} {unit} ({clock})"


def _targets(session: Session, incidents: Iterable[Incident]) -> dict[tuple[int, str], PriorityTarget]:
    slas = sorted({incident.sla_id for incident in incidents if incident.sla_id is not None})
    query = select(PriorityTarget).where(PriorityTarget.sla_id.in_(slas))
    return {(t.sla_id, t.priority.value): t for t in session.scalars(query)} if slas else {}


def _elapsed(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else seconds_between(start, end)


def _incident_row(incident: Incident, scope: Scope, target: PriorityTarget | None, extra: Row) -> Row:
    response = resolution = None
    if target is not None:
        response = _target_text(target.response_amount, target.response_unit, target.response_clock)
        resolution = _target_text(target.resolution_amount, target.resolution_unit, target.resolution_clock)
    answered = incident.acknowledged_at or incident.resolved_at
    return {
        "incident_id": incident.id,
        "service_id": incident.service_id,
        "service": scope.service_name(incident.service_id),
        "monitor_id": incident.monitor_id,
        "title": incident.title,
        "priority": incident.priority.value,
        "status": incident.status.value,
        "source": incident.source.value,
        "opened_at": iso(incident.opened_at),
        "acknowledged_at": iso(incident.acknowledged_at),
        "resolved_at": iso(incident.resolved_at),
        "sla_id": incident.sla_id,
        "response_target": response,
        "response_due_at": iso(incident.response_due_at),
        "response_elapsed_seconds": _elapsed(incident.opened_at, answered),
        "response_state": incident.response_state.value,
        "resolution_target": resolution,
        "resolution_due_at": iso(incident.resolution_due_at),
        "resolution_elapsed_seconds": _elapsed(incident.opened_at, incident.resolved_at),
        "resolution_state": incident.resolution_state.value,
        **extra,
    }


INCIDENT_COLUMNS = (
    "incident_id", "service_id", "service", "monitor_id", "title", "priority", "status", "source",
    "opened_at", "acknowledged_at", "resolved_at", "sla_id", "response_target", "response_due_at",
    "response_elapsed_seconds", "response_state", "resolution_target", "resolution_due_at",
    "resolution_elapsed_seconds", "resolution_state", "paused_seconds", "breaches",
)  # fmt: skip
EVENT_COLUMNS = ("event_id", "incident_id", "at", "kind", "actor_id", "public", "message", "details")
PAUSE_COLUMNS = ("pause_id", "incident_id", "started_at", "ended_at", "seconds", "reason")
BREACH_COLUMNS = ("breach_id", "incident_id", "sla_id", "priority", "target", "due_at", "breached_at")


def _pause_row(pause: IncidentPause, scope: Scope) -> Row:
    return {
        "pause_id": pause.id,
        "incident_id": pause.incident_id,
        "started_at": iso(pause.started_at),
        "ended_at": iso(pause.ended_at),
        "seconds": seconds_between(pause.started_at, pause.ended_at or scope.now),
        "reason": pause.reason,
    }


def _event_row(event: IncidentEvent) -> Row:
    return {
        "event_id": event.id,
        "incident_id": event.incident_id,
        "at": iso(event.at),
        "kind": event.kind,
        "actor_id": event.actor_id,
        "public": event.public,
        "message": event.message,
        "details": json.dumps(event.details, sort_keys=True, ensure_ascii=False),
    }


def _breach_row(breach: Breach) -> Row:
    return {
        "breach_id": breach.id,
        "incident_id": breach.incident_id,
        "sla_id": breach.sla_id,
        "priority": breach.priority.value,
        "target": breach.target,
        "due_at": iso(breach.due_at),
        "breached_at": iso(breach.breached_at),
    }


def _period_incidents(session: Session, scope: Scope) -> list[Incident]:
    query = (
        select(Incident)
        .where(
            Incident.client_id == scope.client_id,
            Incident.opened_at < scope.until,
            or_(Incident.resolved_at.is_(None), Incident.resolved_at >= scope.period.start),
        )
        .order_by(Incident.opened_at, Incident.id)
    )
    return list(session.scalars(query))


def _breaches(session: Session, scope: Scope, ids: list[int]) -> list[Breach]:
    in_period = (Breach.breached_at >= scope.period.start) & (Breach.breached_at < scope.until)
    query = (
        select(Breach)
        .where(Breach.client_id == scope.client_id, or_(Breach.incident_id.in_(ids), in_period))
        .where(Breach.breached_at <= scope.now)
        .order_by(Breach.breached_at, Breach.id)
    )
    return list(session.scalars(query))


def incident_datasets(session: Session, scope: Scope) -> list[Dataset]:
    """`incidents`, `incident_events`, `incident_pauses`, `breaches`, `notifications` and
    `notification_attempts` of the incidents open at some time in the period."""
    incidents = _period_incidents(session, scope)
    ids = [incident.id for incident in incidents]
    events = session.scalars(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id.in_(ids), IncidentEvent.at <= scope.now)
        .order_by(IncidentEvent.incident_id, IncidentEvent.at, IncidentEvent.id)
    )
    pauses = list(
        session.scalars(
            select(IncidentPause)
            .where(IncidentPause.incident_id.in_(ids), IncidentPause.started_at <= scope.now)
            .order_by(IncidentPause.incident_id, IncidentPause.started_at, IncidentPause.id)
        )
    )
    breaches = _breaches(session, scope, ids)
    paused: dict[int, float] = defaultdict(float)
    for pause in pauses:
        paused[pause.incident_id] += seconds_between(pause.started_at, pause.ended_at or scope.now)
    missed: dict[int, int] = defaultdict(int)
    for breach in breaches:
        missed[breach.incident_id] += 1
    targets = _targets(session, incidents)
    rows = tuple(
        _incident_row(
            incident,
            scope,
            targets.get((incident.sla_id or 0, incident.priority.value)),
            {"paused_seconds": paused[incident.id], "breaches": missed[incident.id]},
        )
        for incident in incidents
    )
    return [
        Dataset(
            "incidents",
            "Incidents open at some time in the period: priority, lifecycle, response and resolution against"
            " the SLA's targets (elapsed seconds are wall-clock; the state is Steward's verdict on the"
            " target's own clock), time paused and breaches.",
            INCIDENT_COLUMNS,
            rows,
        ),
        Dataset(
            "incident_events",
            "The timeline of those incidents up to the pack's generation; public rows were shown on the"
            " client's status page; an empty actor is Steward itself.",
            EVENT_COLUMNS,
            tuple(_event_row(event) for event in events),
        ),
        Dataset(
            "incident_pauses",
            "Spans those incidents waited for the client (their resolution clock stopped).",
            PAUSE_COLUMNS,
            tuple(_pause_row(pause, scope) for pause in pauses),
        ),
        Dataset(
            "breaches",
            "Missed response or resolution targets: those of the period's incidents, and any recorded in the"
            " period.",
            BREACH_COLUMNS,
            tuple(_breach_row(breach) for breach in breaches),
        ),
        *_notifications(session, scope, ids),
    ]


# Notifications -------------------------------------------------------------------------------------

DELIVERY_COLUMNS = (
    "delivery_id", "incident_id", "event", "recipient", "channel_kind", "status", "attempts", "created_at",
    "finished_at", "title", "body",
)  # fmt: skip
ATTEMPT_COLUMNS = ("attempt_id", "delivery_id", "at", "outcome", "duration_ms", "error")


def _recipient(delivery: Delivery, channels: dict[int, Channel]) -> tuple[str, str]:
    """Who a delivery went to, and the channel's kind (the scheme of its URL, never the URL)."""
    if delivery.channel_id is None:
        return f"user {delivery.user_id} (e-mail)", "mailto"
    channel = channels[delivery.channel_id]  # deleting a channel deletes its deliveries
    return f"channel {channel.id}: {channel.name}", channel.url.split("://", 1)[0].lower()


def _notifications(session: Session, scope: Scope, incident_ids: list[int]) -> list[Dataset]:
    query = select(Delivery).where(Delivery.incident_id.in_(incident_ids), Delivery.created_at <= scope.now)
    if not scope.all_deliveries:  # as the notifications API: a viewer sees their client's channels only
        own = select(Channel.id).where(Channel.client_id == scope.client_id)
        query = query.where(Delivery.channel_id.in_(own))
    deliveries = list(session.scalars(query.order_by(Delivery.created_at, Delivery.id)))
    channel_ids = sorted({d.channel_id for d in deliveries if d.channel_id is not None})
    channels = {c.id: c for c in session.scalars(select(Channel).where(Channel.id.in_(channel_ids)))}
    attempts = session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id.in_([d.id for d in deliveries]), DeliveryAttempt.at <= scope.now)
        .order_by(DeliveryAttempt.delivery_id, DeliveryAttempt.at, DeliveryAttempt.id)
    )
    rows: list[Row] = []
    for delivery in deliveries:
        recipient, kind = _recipient(delivery, channels)
        rows.append(
            {
                "delivery_id": delivery.id,
                "incident_id": delivery.incident_id,
                "event": delivery.event,
                "recipient": recipient,
                "channel_kind": kind,
                "status": delivery.status.value,
                "attempts": delivery.attempts,
                "created_at": iso(delivery.created_at),
                "finished_at": iso(delivery.finished_at),
                "title": delivery.title,
                "body": delivery.body,
            }
        )
    attempt_rows = tuple(
        {
            "attempt_id": a.id,
            "delivery_id": a.delivery_id,
            "at": iso(a.at),
            "outcome": a.outcome.value,
            "duration_ms": a.duration_ms,
            "error": a.error,
        }
        for a in attempts
    )
    return [
        Dataset(
            "notifications",
            "Notifications queued for the period's incidents (opened, escalated, breached, resolved, …), to"
            " whom and whether they were sent.",
            DELIVERY_COLUMNS,
            tuple(rows),
        ),
        Dataset(
            "notification_attempts",
            "Every attempt to send those notifications, with its outcome and error.",
            ATTEMPT_COLUMNS,
            attempt_rows,
        ),
    ]
