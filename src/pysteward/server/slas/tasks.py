"""Scheduled work of the slas domain: plain functions of `now` that commit their own work.

    close_periods          freeze each ended period's figure per SLA and covered service, once
    evaluate_burn_alerts   fire and clear multiwindow burn-rate alerts, opening incidents for them

Both are idempotent and safe on several workers: a figure is unique per (SLA, service, period start),
so a second worker's insert fails on the constraint and is dropped; a redelivered run finds the work
done and does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pysteward.server.slas.accounting import Availability, availability_of
from pysteward.server.slas.budget import BurnCheck, evaluate_burn, scaled_rules
from pysteward.server.slas.figures import (
    ServiceFigure,
    Timeline,
    covered_services,
    figure_json,
    figures_for_periods,
    load_timelines,
    maintenance_spans,
)
from pysteward.server.slas.models import BurnAlert, PeriodFigure, Priority, Sla
from pysteward.server.slas.periods import Period, nominal_seconds, periods_between
from pysteward.server.slas.service import policy_for, policy_value

__all__ = ["close_periods", "evaluate_burn_alerts"]


def _ended_periods(sla: Sla, now: datetime) -> list[Period]:
    found = periods_between(sla.window, sla.starts_at, now, sla.timezone, anchor=sla.starts_at)
    return [period for period in found if sla.starts_at < period.end <= now]


def _store(
    session: Session, sla: Sla, period: Period, figures: Sequence[ServiceFigure], now: datetime
) -> int:
    """Insert the figures not stored yet, in one commit; row by row if another worker got there first."""
    rows = [
        PeriodFigure(
            sla_id=sla.id,
            service_id=figure.service_id,
            period_start=period.start,
            period_end=period.end,
            policy_id=figure.policy_id,
            figures=figure_json(figure.availability),
            computed_at=now,
        )
        for figure in figures
        if not figure.stored
    ]
    session.add_all(rows)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
    else:
        return len(rows)
    stored = 0
    for row in rows:
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # stored meanwhile by another worker: theirs stands
        else:
            stored += 1
    return stored


def close_periods(session: Session, *, now: datetime) -> int:
    """Store the figure of every ended period (since the SLA's start) of every SLA and covered service
    that has none, with the policy version in effect at the period's end; the number stored."""
    stored = 0
    for sla in session.scalars(select(Sla).order_by(Sla.id)).all():
        ended = _ended_periods(sla, now)
        if not ended:
            continue
        expected = len(covered_services(session, sla))
        have = session.execute(
            select(PeriodFigure.period_start).where(
                PeriodFigure.sla_id == sla.id, PeriodFigure.period_start >= ended[0].start
            )
        )
        counts: dict[datetime, int] = {}
        for (start,) in have:
            counts[start] = counts.get(start, 0) + 1
        missing = [period for period in ended if counts.get(period.start, 0) < expected]
        results = figures_for_periods(session, sla=sla, periods=missing, now=now)
        for period, figures in zip(missing, results, strict=True):
            stored += _store(session, sla, period, figures, now)
    return stored


# Burn-rate alerts ---------------------------------------------------------------------------------


def _priority(sla: Sla, severity: str) -> Priority | None:
    return sla.page_priority if severity == "page" else sla.ticket_priority


def _open_incident(
    session: Session, sla: Sla, service: tuple[int, str], check: BurnCheck, now: datetime
) -> int | None:
    """The incident an alert belongs to: the service's open one if it has one (its outage already has an
    incident, so the alert joins its timeline), else a new one when the SLA gives the severity a
    priority."""
    priority = _priority(sla, str(check.rule.severity))
    if priority is None:
        return None
    from pysteward.server.incidents.models import Incident, IncidentSource, IncidentStatus
    from pysteward.server.incidents.service import add_event, open_incident

    title = f"Error budget burning {check.long_burn:.1f}× ({check.rule.name}) on {service[1]}"
    description = (
        f"SLA {sla.name!r} ({sla.target} %): the error budget burns {check.long_burn:.1f}× over the long"
        f" window and {check.short_burn:.1f}× over the short one (threshold {check.rule.factor:.1f}×)."
    )
    ongoing = session.scalars(
        select(Incident)
        .where(Incident.service_id == service[0], Incident.status != IncidentStatus.RESOLVED)
        .order_by(Incident.priority, Incident.id)
        .limit(1)
    ).first()
    if ongoing is not None:
        add_event(session, ongoing, "burn_alert", at=now, message=f"{title}. {description}")
        return ongoing.id
    incident = open_incident(
        session,
        client_id=sla.client_id,
        service_id=service[0],
        priority=priority,
        title=title,
        source=IncidentSource.BURN_RATE,
        now=now,
        description=description,
    )
    return incident.id


def _apply(
    session: Session, sla: Sla, service: tuple[int, str], checks: Sequence[BurnCheck], now: datetime
) -> int:
    open_alerts = {
        alert.rule: alert
        for alert in session.scalars(
            select(BurnAlert).where(
                BurnAlert.sla_id == sla.id, BurnAlert.service_id == service[0], BurnAlert.cleared_at.is_(None)
            )
        )
    }
    changed = 0
    for check in checks:
        alert = open_alerts.get(check.rule.name)
        if check.firing and alert is None:
            session.add(
                BurnAlert(
                    sla_id=sla.id,
                    service_id=service[0],
                    rule=check.rule.name,
                    severity=str(check.rule.severity),
                    factor=float(check.rule.factor),
                    long_burn=float(check.long_burn),
                    short_burn=float(check.short_burn),
                    fired_at=now,
                    incident_id=_open_incident(session, sla, service, check, now),
                )
            )
            changed += 1
        elif not check.firing and alert is not None:
            alert.cleared_at = now
            changed += 1
    return changed


def _evaluate_sla(session: Session, sla: Sla, now: datetime) -> int:
    rules = scaled_rules(nominal_seconds(sla.window))
    services = covered_services(session, sla)
    if not rules or not services:
        return 0
    since = now - max(rule.long for rule in rules)
    policy = policy_value(policy_for(session, sla, now))
    target = Decimal(str(sla.target))
    planned = maintenance_spans(session, sla=sla, start=since, end=now)
    loaded = load_timelines(session, service_ids=[s[0] for s in services], start=since, end=now)
    changed = 0
    for service in services:
        timelines = [Timeline(spans) for spans in loaded[service[0]]]

        def measure(start: datetime, end: datetime, timelines: list[Timeline] = timelines) -> Availability:
            cut = [timeline.within(start, end) for timeline in timelines]
            excluded = [(a, b) for a, b in planned if a < end and b > start]
            return availability_of(
                cut, start=start, end=end, policy=policy, target=target, maintenance=excluded
            )

        changed += _apply(session, sla, service, evaluate_burn(rules, measure, now), now)
    session.commit()
    return changed


def evaluate_burn_alerts(session: Session, *, now: datetime) -> int:
    """Fire an alert for every burn rule now firing without an open alert (opening an incident when
    the SLA says so for its severity), clear every open alert whose rule stopped firing; the number of
    alerts fired or cleared."""
    changed = 0
    for sla in session.scalars(select(Sla).order_by(Sla.id)).all():
        try:
            changed += _evaluate_sla(session, sla, now)
        except IntegrityError:
            # Another worker fired the same alert first (one open alert per rule is a unique index).
            session.rollback()
    return changed
