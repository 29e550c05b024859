"""Scheduled work of the notify domain, for the in-process runner and Celery workers alike.

    run_deliveries      send what is due (`service.deliver_due`) until nothing is or a cap is reached

Safe to run on any number of workers at once: every delivery is claimed with a conditional UPDATE
before it is sent, so a redelivered task or a second worker never sends the same attempt twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from pysteward.server.notify.delivery import deliver_due
from pysteward.server.notify.sender import Sender
from pysteward.server.settings import Settings

__all__ = ["BATCH", "MAX_PER_TICK", "run_deliveries"]

BATCH = 100
MAX_PER_TICK = 1000
"""The most deliveries one tick attempts, so a backlog cannot keep a tick from ending."""


def run_deliveries(session: Session, *, now: datetime, sender: Sender, settings: Settings) -> int:
    """Attempt the deliveries due at `now` in batches, until none is due or `MAX_PER_TICK` were
    attempted; how many were attempted. Commits."""
    total = 0
    while total < MAX_PER_TICK:
        attempted = deliver_due(
            session, now=now, sender=sender, settings=settings, limit=min(BATCH, MAX_PER_TICK - total)
        )
        total += attempted
        if attempted == 0:
            break
    return total
