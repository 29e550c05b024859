"""Scheduled work of the reports domain: the reports each client's cadences ask for, once per period.

    generate_due_reports   for each client and each cadence in `report_cadences`, the report of the last
                           closed period in `report_timezone`, unless one generated after that period's
                           end is archived already

Idempotent and safe on several workers (STYLE 28): a period with an archived report generated after its
end is skipped, and two workers generating the same one at once collide on the unique version: the
second rolls back and leaves the first's. A report generated on demand while its period was still
running does not count: the closed period still gets its own. At most `limit` reports are generated per
call, so a first of the month with many clients cannot hold the operations tick for long; the next
tick goes on where this one stopped. Scheduled reports are archived, not sent: staff deliver one
through the client's channels when they choose (`service.deliver_report`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.reports.data import last_closed_period
from pysteward.server.reports.models import Report, ReportKind
from pysteward.server.reports.service import generate_report
from pysteward.server.slas.periods import Period, PeriodError
from pysteward.server.tenancy.models import Client

__all__ = ["MAX_PER_TICK", "due_reports", "generate_due_reports"]

MAX_PER_TICK = 3
"""Reports generated per call at most (each takes about a second for a 100-service client)."""

log = logging.getLogger("pysteward.reports")


def _kinds(cadences: object) -> list[ReportKind]:
    """The known cadences of a client, in order; anything else in the JSON list is ignored."""
    if not isinstance(cadences, list):
        return []
    known = {kind.value: kind for kind in ReportKind}
    return [known[value] for value in dict.fromkeys(cadences) if isinstance(value, str) and value in known]


def _archived(session: Session, client_id: int, kind: ReportKind, period: Period) -> bool:
    query = select(Report.id).where(
        Report.client_id == client_id,
        Report.kind == kind,
        Report.period_start == period.start,
        Report.created_at >= period.end,
    )
    return session.scalar(query.limit(1)) is not None


def due_reports(session: Session, *, now: datetime) -> Iterator[tuple[int, ReportKind, Period]]:
    """(client id, kind, period) of each scheduled report not archived yet at `now`, by client id.

    A period that ended before the client existed is not due (a new client gets no back-filled report).
    """
    clients = session.execute(
        select(Client.id, Client.report_cadences, Client.report_timezone, Client.created_at).order_by(
            Client.id
        )
    ).all()
    for client_id, cadences, timezone, created_at in clients:
        for kind in _kinds(cadences):
            try:
                period = last_closed_period(kind, timezone, now)
            except PeriodError as e:  # a time zone this machine does not know (any more)
                log.warning("no scheduled report: %s", e, extra={"client_id": client_id})
                continue
            if period.end > created_at and not _archived(session, client_id, kind, period):
                yield client_id, kind, period


def generate_due_reports(session: Session, *, now: datetime, limit: int = MAX_PER_TICK) -> int:
    """Generate and archive up to `limit` due reports (see `due_reports`); the number generated.
    Commits each report on its own."""
    done = 0
    for client_id, kind, period in list(due_reports(session, now=now)):
        if done >= limit:
            break
        try:
            report = generate_report(
                session, client_id=client_id, kind=kind, period=period, now=now, actor_id=None
            )
        except ApiError as e:  # another worker stored it first (409), or the client was just deleted (404)
            log.info("scheduled report skipped: %s", e.message, extra={"client_id": client_id})
            continue
        log.info("scheduled report generated", extra={"client_id": client_id, "report_id": report.id})
        done += 1
    return done
