"""Everything one client's SLA report says about one period, gathered from the store.

    gather(session, client=…, kind=…, period=…, now=…)   the `ReportData` of one report
    report_window(kind)                                    monthly → month, weekly → week
    parse_report_period(kind, text, timezone, now=…)       `2026-11`, `2026-W47`, `previous`, `current`
    last_closed_period(kind, timezone, now)                what the schedule reports on
    key_figures(data)                                      the few numbers a delivery message quotes

The parts come from `_availability` (SLA figures, downtime with causes, maintenance, error budgets),
`_incidents` (incidents, pauses, breaches) and `_assessments` (latest assessment at the period's end);
each reuses the domain's own building blocks (`slas.figures`, `incidents.models`, `estate.models`).
Pure reading: nothing is written, nothing is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import assert_never

from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.reports._assessments import AssessmentFacts, AssessmentLine, assessment_lines
from pysteward.server.reports._availability import (
    MaintenanceLine,
    Outage,
    PolicyText,
    ServiceLine,
    SlaSection,
    budget_left,
    outages_with_causes,
    sla_sections,
)
from pysteward.server.reports._incidents import BreachLine, IncidentLine, IncidentPart, incident_part
from pysteward.server.reports.models import ReportKind
from pysteward.server.slas.models import WindowKind
from pysteward.server.slas.periods import Period, parse_period, period_containing, previous_period
from pysteward.server.tenancy.models import Client

__all__ = [
    "AssessmentFacts",
    "AssessmentLine",
    "BreachLine",
    "IncidentLine",
    "IncidentPart",
    "MaintenanceLine",
    "Outage",
    "PolicyText",
    "ReportData",
    "ServiceLine",
    "SlaSection",
    "budget_left",
    "gather",
    "key_figures",
    "last_closed_period",
    "parse_report_period",
    "report_window",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportData:
    """One client's report over one period, as of `generated_at`."""

    client_id: int
    client_name: str
    kind: ReportKind
    period: Period
    previous: Period
    timezone: str
    generated_at: datetime
    sections: tuple[SlaSection, ...]
    uncovered: tuple[str, ...]
    """Services no SLA covers: listed, with no availability figure."""
    outages: tuple[Outage, ...]
    incidents: IncidentPart
    assessments: tuple[AssessmentLine, ...]

    @property
    def measured_until(self) -> datetime:
        """The period's end, or the generation time for a period still running."""
        return min(self.period.end, self.generated_at)

    @property
    def complete(self) -> bool:
        """Whether the period had ended when the report was generated."""
        return self.generated_at >= self.period.end

    @property
    def lines(self) -> tuple[ServiceLine, ...]:
        """Every service line of every SLA section."""
        return tuple(line for section in self.sections for line in section.services)


def report_window(kind: ReportKind) -> WindowKind:
    """The measuring window a report of `kind` covers."""
    match kind:
        case ReportKind.MONTHLY:
            return WindowKind.MONTH
        case ReportKind.WEEKLY:
            return WindowKind.WEEK
        case _:
            assert_never(kind)


def parse_report_period(kind: ReportKind, text: str, timezone: str, *, now: datetime) -> Period:
    """The period `text` names for a report of `kind` in `timezone`; `PeriodError` naming the field."""
    return parse_period(report_window(kind), text, timezone, anchor=now, now=now)


def last_closed_period(kind: ReportKind, timezone: str, now: datetime) -> Period:
    """The latest period of `kind` in `timezone` that has ended at `now`."""
    window = report_window(kind)
    current = period_containing(window, now, timezone, anchor=now)
    return previous_period(window, current, timezone, anchor=now)


def _labels(session: Session, client_id: int) -> list[tuple[int, str]]:
    """The client's services as the report names them: `name`, or `name (environment)` outside
    production; by name."""
    rows = session.execute(
        select(Service.id, Service.name, Service.environment)
        .where(Service.client_id == client_id)
        .order_by(Service.name, Service.environment, Service.id)
    )
    return [(sid, name if env == "production" else f"{name} ({env})") for sid, name, env in rows]


def gather(
    session: Session, *, client: Client, kind: ReportKind, period: Period, now: datetime
) -> ReportData:
    """The report of `client` over `period`, as of `now` (a running period is measured until `now`)."""
    timezone = client.report_timezone
    previous = previous_period(report_window(kind), period, timezone, anchor=period.start)
    services = _labels(session, client.id)
    labels = dict(services)
    sections = sla_sections(
        session,
        client_id=client.id,
        window=report_window(kind),
        timezone=timezone,
        periods=(previous, period),
        now=now,
        labels=labels,
    )
    covered = {line.figure.service_id for section in sections for line in section.services}
    return ReportData(
        client_id=client.id,
        client_name=client.name,
        kind=kind,
        period=period,
        previous=previous,
        timezone=timezone,
        generated_at=now,
        sections=tuple(sections),
        uncovered=tuple(label for service_id, label in services if service_id not in covered),
        outages=tuple(outages_with_causes(session, client_id=client.id, sections=sections, period=period)),
        incidents=incident_part(
            session, client_id=client.id, period=period, previous=previous, now=now, labels=labels
        ),
        assessments=tuple(
            assessment_lines(session, services=services, end=period.end, previous_end=previous.end)
        ),
    )


def _lowest(lines: tuple[ServiceLine, ...]) -> ServiceLine | None:
    measured = [line for line in lines if line.figure.availability.percent is not None]
    if not measured:
        return None
    return min(measured, key=lambda line: (line.figure.availability.percent or Decimal(0), line.label))


def key_figures(data: ReportData) -> dict[str, str]:
    """The headline numbers, in order, as label → text (the report's summary and delivery messages)."""
    lines = data.lines
    measured = [line for line in lines if line.figure.availability.met is not None]
    met = sum(1 for line in measured if line.figure.availability.met)
    lowest = _lowest(lines)
    down = sum(line.figure.availability.down_seconds for line in lines)
    critical = sum(line.current.critical for line in data.assessments if line.current is not None)
    return {
        "services meeting their target": f"{met} of {len(measured)}",
        "lowest availability": "—"
        if lowest is None
        else f"{lowest.figure.availability.percent} % ({lowest.label})",
        "downtime": _hours(down),
        "incidents opened": str(data.incidents.opened),
        "breaches": str(len(data.incidents.breaches)),
        "open critical vulnerabilities": str(critical),
    }


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
