"""The compliance evidence pack (issue 6 §4): one zip per client and period, for auditors.

    evidence_period      `2026-11`, `2026-W47`, `previous` or `current` in the client's report time zone
    build_evidence_pack  the zip: reports/, evidence/ (CSV and JSON), INDEX.md, index.json, MANIFEST.sha256
    export_pack          the look-up, the period and the pack together: what the API, the page and the
                         CLI call; 404 for a client the caller does not see, 422 for a bad period

Every file sits under one folder named like the zip (`evidence-acme-2026-11/`). The entries come in
path order, each dated the generation time with fixed attributes, so two packs of the same data at the
same time are byte for byte the same, and packs of the same data differ only in that time.

A month whose monthly report is not archived yet gets one first, through the reports service (so it is
archived like a scheduled one, created by the exporting user); a period still running gets none, so the
archive never holds a month's report cut short, and neither does a client viewer's export (viewers
change nothing). The evidence files come from evidence_monitoring.py, evidence_incidents.py and
evidence_assessments.py; the controls they support and the index from evidence_controls.py.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward import __version__
from pysteward.server.errors import ApiError
from pysteward.server.estate.models import Service
from pysteward.server.principal import Principal
from pysteward.server.reports.evidence_assessments import assessment_datasets
from pysteward.server.reports.evidence_controls import (
    Dataset,
    Scope,
    csv_bytes,
    dataset_paths,
    dump_json,
    index_entries,
    index_markdown,
    iso,
    json_bytes,
)
from pysteward.server.reports.evidence_incidents import incident_datasets
from pysteward.server.reports.evidence_monitoring import availability, monitor_datasets
from pysteward.server.reports.models import Report, ReportKind
from pysteward.server.reports.service import generate_report, latest_reports, period_of
from pysteward.server.slas.models import WindowKind
from pysteward.server.slas.periods import Period, PeriodError, parse_period
from pysteward.server.tenancy.models import Client

__all__ = [
    "FORMAT",
    "MANIFEST",
    "PERIOD_FORMS",
    "build_evidence_pack",
    "evidence_period",
    "export_pack",
    "pack_filename",
]

FORMAT: Final = "steward-evidence-pack/1"
MANIFEST: Final = "MANIFEST.sha256"
PERIOD_FORMS: Final = "a month (YYYY-MM), a week (YYYY-Www), previous or current"
_MONTH = re.compile(r"\d{4}-\d{2}")
_WEEK = re.compile(r"\d{4}-W\d{2}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def evidence_period(text: str, *, timezone: str, now: datetime) -> Period:
    """The month or ISO week `text` names in `timezone` (`previous` and `current` are months);
    PeriodError for any other text, a period before 1970, or one that has not begun at `now`."""
    if text in {"previous", "current"} or _MONTH.fullmatch(text):
        kind = WindowKind.MONTH
    elif _WEEK.fullmatch(text):
        kind = WindowKind.WEEK
    else:
        raise PeriodError(f"period: {text!r} is not {PERIOD_FORMS}")
    period = parse_period(kind, text, timezone, anchor=now, now=now)
    if period.start < _EPOCH:  # nothing is recorded before; the period before it may not exist
        raise PeriodError(f"period: {period.label} is before 1970")
    if period.start > now:
        raise PeriodError(f"period: {period.label} has not begun yet")
    return period


def _is_week(period: Period) -> bool:
    return _WEEK.fullmatch(period.label) is not None


def pack_filename(client: Client, period: Period) -> str:
    """`evidence-<client>-<period>.zip`, the client's name reduced to lowercase ASCII words."""
    ascii_name = unicodedata.normalize("NFKD", client.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or f"client-{client.id}"
    return f"evidence-{slug}-{period.label}.zip"


def _client_for(session: Session, principal: Principal, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None or not principal.sees_client(client_id):
        raise ApiError(404, f"client {client_id} not found")
    return client


# Reports -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Packed:
    """An archived report going into the pack."""

    report: Report
    generated: bool
    """Generated for this pack (the month had no archived report)."""

    @property
    def stem(self) -> str:
        """`reports/monthly-2026-11-v2`: the report's files without their extension."""
        report = self.report
        return f"reports/{report.kind.value}-{period_of(report).label}-v{report.version}"


def _reports(
    session: Session, principal: Principal, client: Client, period: Period, now: datetime
) -> list[_Packed]:
    # The latest version of each report whose period lies within the pack's.
    found = latest_reports(session, client_id=client.id, start=period.start, end=period.end)
    packed = [_Packed(report, generated=False) for report in found]
    archived = any(r.kind is ReportKind.MONTHLY and r.period_start == period.start for r in found)
    # A client viewer changes nothing, so their export never adds to the archive.
    if principal.can_write and not _is_week(period) and period.end <= now and not archived:
        made = generate_report(
            session,
            client_id=client.id,
            kind=ReportKind.MONTHLY,
            period=period,
            now=now,
            actor_id=principal.actor_id,
        )
        packed.append(_Packed(made, generated=True))
    return sorted(packed, key=lambda p: (p.report.period_start, p.report.kind.value, p.report.version))


def _report_files(packed: list[_Packed]) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    files: dict[str, bytes] = {}
    listed = []
    for item in packed:
        report = item.report
        files[f"{item.stem}.pdf"] = report.pdf
        files[f"{item.stem}.html"] = report.html.encode()
        listed.append(
            {
                "files": [f"{item.stem}.pdf", f"{item.stem}.html"],
                "kind": report.kind.value,
                "period_start": iso(report.period_start),
                "period_end": iso(report.period_end),
                "timezone": report.timezone,
                "version": report.version,
                "archived_sha256": report.sha256,
                "created_at": iso(report.created_at),
                "generated_for_pack": item.generated,
            }
        )
    return files, listed


# The pack ------------------------------------------------------------------------------------------


def _scope(session: Session, principal: Principal, client: Client, period: Period, now: datetime) -> Scope:
    query = select(Service.id, Service.name, Service.environment).where(Service.client_id == client.id)
    return Scope(
        client_id=client.id,
        services={row[0]: (row[1], row[2]) for row in session.execute(query.order_by(Service.id))},
        period=period,
        now=now,
        all_deliveries=principal.is_provider and principal.client_id is None,
    )


def _datasets(session: Session, scope: Scope) -> dict[str, Dataset]:
    found = [
        *monitor_datasets(session, scope),
        availability(session, scope),
        *incident_datasets(session, scope),
        *assessment_datasets(session, scope),
    ]
    return {dataset.name: dataset for dataset in found}


def _exporter(principal: Principal) -> str:
    if principal.via == "local":
        return "local operator (command line on the server's database)"
    if principal.is_provider and principal.client_id is None:
        return "provider staff"
    return "client viewer (notifications to the provider's own channels are not included)"


def _notes(period: Period, now: datetime, reports: list[_Packed]) -> list[str]:
    notes = []
    if period.end > now:
        notes.append("The period has not ended: the evidence runs up to the generation time.")
    monthly = any(item.report.kind is ReportKind.MONTHLY for item in reports)
    if not _is_week(period) and period.end <= now and not monthly:
        notes.append("The month has no archived monthly report; provider staff can have one generated.")
    if not reports:
        notes.append("No archived report lies inside the period.")
    notes.extend(
        f"{item.stem} was generated for this pack: the month had no archived report."
        for item in reports
        if item.generated
    )
    return notes


def _file_list(
    datasets: dict[str, Dataset], files: dict[str, bytes], reports: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    described: dict[str, tuple[int | None, str]] = {}
    for dataset in datasets.values():
        csv_path, json_path = dataset_paths(dataset.name)
        described[csv_path] = (len(dataset.rows), dataset.description)
        described[json_path] = (len(dataset.rows), dataset.description + " (JSON, exact values)")
    for report in reports:
        pdf, html = report["files"]
        what = f"SLA report, {report['kind']}, version {report['version']}"
        described[pdf] = (None, f"{what} (PDF, as archived; SHA-256 {report['archived_sha256']})")
        described[html] = (None, f"{what} (HTML)")
    return [
        {"path": path, "sha256": hashlib.sha256(files[path]).hexdigest(), "rows": rows, "description": text}
        for path, (rows, text) in sorted(described.items())
    ]


def _index(client: Client, scope: Scope, principal: Principal, packed: list[_Packed]) -> dict[str, Any]:
    period = scope.period
    return {
        "format": FORMAT,
        "client": {"id": client.id, "name": client.name},
        "period": {
            "label": period.label,
            "kind": "week" if _is_week(period) else "month",
            "timezone": client.report_timezone,
            "start": iso(period.start),
            "end": iso(period.end),
        },
        "generated_at": iso(scope.now.replace(microsecond=0)),
        "steward_version": __version__,
        "exported_by": _exporter(principal),
        "notes": _notes(period, scope.now, packed),
    }


def build_evidence_pack(
    session: Session, *, principal: Principal, client_id: int, period: Period, now: datetime
) -> bytes:
    """The evidence pack of client `client_id` over `period` as zip bytes (see the module docstring);
    404 when `principal` does not see the client."""
    client = _client_for(session, principal, client_id)
    packed = _reports(session, principal, client, period, now)
    scope = _scope(session, principal, client, period, now)
    datasets = _datasets(session, scope)
    files, reports = _report_files(packed)
    for dataset in datasets.values():
        csv_path, json_path = dataset_paths(dataset.name)
        files[csv_path], files[json_path] = csv_bytes(dataset), json_bytes(dataset)
    report_paths = [path for report in reports for path in report["files"]]
    index = _index(client, scope, principal, packed)
    index |= {
        "controls": index_entries(datasets, report_paths),
        "files": _file_list(datasets, files, reports),
        "reports": reports,
    }
    files["index.json"] = dump_json(index)
    files["INDEX.md"] = index_markdown(index)
    files[MANIFEST] = "".join(
        f"{hashlib.sha256(files[path]).hexdigest()}  {path}\n" for path in sorted(files)
    ).encode()
    return _zip(files, pack_filename(client, period).removesuffix(".zip"), now)


def _zip(files: dict[str, bytes], root: str, at: datetime) -> bytes:
    """`files` under `root/`, in path order, every entry dated `at` (UTC) with the same attributes."""
    stamp = at.astimezone(UTC)
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{root}/{path}", date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below mean the same everywhere
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path])
    return buffer.getvalue()


def export_pack(
    session: Session, *, principal: Principal, client_id: int, period: str, now: datetime
) -> tuple[str, bytes]:
    """The file name and bytes of client `client_id`'s pack for the period `period` names (in the
    client's report time zone); 404 for a client `principal` does not see, 422 for a bad period."""
    client = _client_for(session, principal, client_id)
    try:
        chosen = evidence_period(period, timezone=client.report_timezone, now=now)
    except PeriodError as e:
        raise ApiError(422, f"query.{e}") from None
    pack = build_evidence_pack(session, principal=principal, client_id=client_id, period=chosen, now=now)
    return pack_filename(client, chosen), pack
