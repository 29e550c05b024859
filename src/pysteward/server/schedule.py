"""The operations tick: every scheduled service function of SLAs, incidents and notifications, in
the order one tick needs them, for the in-process runner (and any other worker) to call.

    every tick (seconds)   incidents from monitor states, SLA timers, escalations, deliveries
    every slow tick        burn-rate alerts (a minute), closing ended SLA periods, scheduled reports

Each step runs in its own session and commits its own work, so one failing step neither blocks
the others nor loses what they did; the failure is logged and the next tick tries again. Every step
is a plain function of `now` and safe to run on several workers at once (STYLE 28).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.incidents.escalation import run_escalations
from pysteward.server.incidents.tasks import sync_monitor_incidents, tick_timers
from pysteward.server.notify.sender import Sender
from pysteward.server.notify.tasks import run_deliveries
from pysteward.server.reports.tasks import generate_due_reports
from pysteward.server.settings import Settings
from pysteward.server.slas.tasks import close_periods, evaluate_burn_alerts

__all__ = ["operations_tick"]

log = logging.getLogger("pysteward.schedule")


def operations_tick(
    sessions: sessionmaker[Session], *, now: datetime, sender: Sender, settings: Settings, slow: bool
) -> dict[str, Any]:
    """Run one tick at `now`; what each step returned (None for a step that failed)."""
    steps: list[tuple[str, Callable[..., Any], dict[str, Any]]] = [
        ("incidents", sync_monitor_incidents, {}),
        ("timers", tick_timers, {}),
        ("escalations", run_escalations, {}),
    ]
    if slow:
        steps += [("burn_alerts", evaluate_burn_alerts, {}), ("periods", close_periods, {})]
        # After closing periods, so a report of a closed period reads its stored figures.
        steps.append(("reports", generate_due_reports, {}))
    # Deliveries last, so what this tick queued goes out in the same tick.
    steps.append(("deliveries", run_deliveries, {"sender": sender, "settings": settings}))
    done: dict[str, Any] = {}
    for name, function, extra in steps:
        try:
            with sessions() as session:
                done[name] = function(session, now=now, **extra)
        except Exception:
            log.exception("scheduled step failed", extra={"step": name})
            done[name] = None
    return done
