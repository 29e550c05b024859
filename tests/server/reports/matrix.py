# ruff: noqa: E501 (one line per route)
"""Authorization matrix rows of the SLA reports (see tests/server/matrix.py): the API under
`/api/v1/reports` and the console pages under `/reports`.

A `report` is an archived row made directly (a stand-in PDF), for Acme (own) or Globex (foreign), so
reading, downloading and delivering cost no rendering. The two generating routes render real reports
for the staff cells: that is what they do.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from pysteward.server.reports.models import Report, ReportKind
from tests.server.conftest import Personas
from tests.server.matrix import Access, Factory, Rule, next_number

_HTML = '<html><body><table><tr><td class="card"><div class="label">breaches</div><div class="value">0</div></td></tr></table></body></html>'


def _report(session: Session, world: Personas, role: str, side: str) -> int:
    row = Report(
        client_id=world.acme if side == "own" else world.globex,
        kind=ReportKind.MONTHLY,
        period_start=datetime(2026, 10, 1, tzinfo=UTC),
        period_end=datetime(2026, 11, 1, tzinfo=UTC),
        timezone="UTC",
        version=next_number(),  # a new version each time: (client, kind, period, version) is unique
        sha256="0" * 64,
        html=_HTML,
        pdf=b"%PDF-1.7 stand-in",
    )
    session.add(row)
    session.commit()
    return row.id


FACTORIES: dict[str, Factory] = {"report": _report}

# fmt: off
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/reports"): Rule(Access.AUTHENTICATED),
    ("POST", "/api/v1/reports"): Rule(Access.CREATE, body=lambda t: {"client_id": t.client_id, "period": "previous"}),
    ("GET", "/api/v1/reports/{report_id}"): Rule(Access.READ, kind="report"),
    ("GET", "/api/v1/reports/{report_id}/pdf"): Rule(Access.READ, kind="report"),
    ("GET", "/api/v1/reports/{report_id}/html"): Rule(Access.READ, kind="report"),
    ("POST", "/api/v1/reports/{report_id}/deliver"): Rule(Access.WRITE, kind="report", body=lambda t: {}),
    ("GET", "/reports"): Rule(Access.AUTHENTICATED),
    ("POST", "/reports"): Rule(Access.CREATE, body=lambda t: {"client_id": t.client_id, "kind": "monthly", "period": "previous"}),
    ("GET", "/reports/{report_id}"): Rule(Access.READ, kind="report"),
    ("GET", "/reports/{report_id}/pdf"): Rule(Access.READ, kind="report"),
    ("GET", "/reports/{report_id}/html"): Rule(Access.READ, kind="report"),
    ("POST", "/reports/{report_id}/deliver"): Rule(Access.WRITE, kind="report", body=lambda t: {}),
}
# fmt: on
