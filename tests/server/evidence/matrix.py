"""Authorization matrix rows for the evidence pack (see tests/server/matrix.py).

The matrix calls routes without a query string, so the pack is the last full month's: the client made
for each cell gets that month's report archived first, so no cell renders a PDF. On the console, a
download without a client sends staff back to the form (303) and gives a viewer their own client's pack.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.reports.evidence import evidence_period
from pysteward.server.reports.models import Report, ReportKind
from pysteward.server.tenancy import service
from tests.server.conftest import Personas
from tests.server.evidence.world import archive_report
from tests.server.matrix import Access, Factory, Rule, next_number


def _client_with_last_month_archived(session: Session, world: Personas, role: str, side: str) -> int:
    if side == "own" and role == "acme_viewer":
        client_id = world.acme
    else:
        client_id = service.create_client(session, name=f"Evidence client {next_number()}").id
    month = evidence_period("previous", timezone="UTC", now=datetime.now(UTC))
    archived = select(Report.id).where(Report.client_id == client_id, Report.period_start == month.start)
    if session.scalar(archived) is None:
        archive_report(session, client_id, ReportKind.MONTHLY, month.start, month.end)
    return client_id


# fmt: off
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/clients/{client_id}/evidence"): Rule(Access.READ, kind="evidence_client"),
    ("GET", "/evidence"): Rule(Access.AUTHENTICATED),
    ("GET", "/evidence/download"): Rule(Access.AUTHENTICATED, kind="evidence_client"),
}
# fmt: on
FACTORIES: dict[str, Factory] = {"evidence_client": _client_with_last_month_archived}
