"""What an evidence pack says: its datasets as CSV and JSON, the controls they support, the index.

    Scope            what a pack covers: the client, its services, the period, the moment of generation
    Dataset          one table of evidence (rows of plain cells), written as evidence/<name>.csv and .json
    Control          a NIST SP 800-53 or SOC 2 control: its title, the datasets that support it and how
    CONTROLS         every control a pack lists, in the order the index shows them
    csv_bytes        a dataset as CSV (text cells that a spreadsheet would run as a formula are quoted)
    json_bytes       a dataset as JSON (exact values)
    index_entries    each control with its files, status ("evidence" or "no events in the period") and rows
    index_markdown   INDEX.md, the human index, from the same data as index.json

Formatters are pure (STYLE 11): data in, bytes out. NIST titles are those of SP 800-53 Rev. 5; the SOC 2
lines are short paraphrases of the 2017 Trust Services Criteria CC7.1–CC7.5 (System Operations).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from pysteward.server.slas.periods import Period

__all__ = [
    "CONTROLS",
    "EVIDENCE",
    "NO_EVENTS",
    "REPORTS",
    "Cell",
    "Control",
    "Dataset",
    "Scope",
    "csv_bytes",
    "dataset_paths",
    "dump_json",
    "index_entries",
    "index_markdown",
    "iso",
    "json_bytes",
    "seconds_between",
]

Cell = str | int | float | bool | None
"""One value of a row: datetimes are ISO 8601 strings in UTC before they get here."""

NO_EVENTS: Final = "no events in the period"
EVIDENCE: Final = "evidence"
NIST: Final = "NIST SP 800-53 Rev. 5"
SOC2: Final = "SOC 2 (2017 Trust Services Criteria)"
REPORTS: Final = "reports"
"""A pseudo dataset name: the archived SLA reports of the period."""

_FORMULA_START = frozenset("=+-@\t\r")


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """What one pack covers."""

    client_id: int
    services: dict[int, tuple[str, str]]
    """The client's services: id to (name, environment)."""
    period: Period
    now: datetime
    """When the pack is generated: nothing later than this is evidence."""
    all_deliveries: bool
    """Provider staff see every notification; a client viewer only those to the client's channels."""

    @property
    def until(self) -> datetime:
        """Where measuring stops: the period's end, or now while the period runs."""
        return min(self.period.end, self.now)

    def service_name(self, service_id: int | None) -> str | None:
        """The name of one of the client's services (None for none)."""
        return None if service_id is None else self.services[service_id][0]


def seconds_between(start: datetime, end: datetime) -> float:
    """The seconds from `start` to `end`, never negative."""
    return max(0.0, (end - start).total_seconds())


def iso(value: datetime | None) -> str | None:
    """A datetime as ISO 8601 in UTC (`2026-11-03T14:05:00+00:00`), None for none."""
    return None if value is None else value.astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class Dataset:
    """One table of evidence: `rows` hold a value for each of `columns`, in order."""

    name: str
    """The file stem: evidence/<name>.csv and evidence/<name>.json."""
    description: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, Cell], ...]


@dataclass(frozen=True, slots=True)
class Control:
    """A control and the evidence that supports it."""

    id: str
    framework: str
    title: str
    datasets: tuple[str, ...]
    """Dataset names (or REPORTS) whose files support it, in the order the index lists them."""
    events: tuple[str, ...]
    """The datasets whose rows are the control's events: none of them with a row means no events."""
    how: str


CONTROLS: Final[tuple[Control, ...]] = (
    Control(
        "CA-7", NIST, "Continuous Monitoring",
        ("monitors", "monitor_states", "availability", REPORTS), ("monitor_states",),
        "Every monitor of the client's services with its checks and time in each state over the period,"
        " every state change, and each SLA's availability counted under its stated accounting policy show"
        " that the services were watched continuously and measured against their targets.",
    ),
    Control(
        "IR-4", NIST, "Incident Handling",
        ("incidents", "incident_events", "incident_pauses"), ("incidents",),
        "Each incident active in the period, from detection to resolution, with its full timeline"
        " (opened, acknowledged, escalated, paused, resolved) and the pauses spent waiting for the client,"
        " shows how incidents were handled.",
    ),
    Control(
        "IR-5", NIST, "Incident Monitoring",
        ("incidents", "incident_events", "breaches", REPORTS), ("incidents",),
        "Incidents are tracked and documented: priority, timestamps, response and resolution times"
        " against the SLA's targets, and every recorded breach of a target.",
    ),
    Control(
        "IR-6", NIST, "Incident Reporting",
        ("notifications", "notification_attempts", "incident_events"), ("notifications",),
        "Every notification sent for the period's incidents (recipient, event, outcome) with each delivery"
        " attempt, and the public status-page updates marked in the timeline, show that incidents were"
        " reported.",
    ),
    Control(
        "RA-5", NIST, "Vulnerability Monitoring and Scanning",
        ("assessment_runs", "findings", "vulnerabilities_open"), ("assessment_runs",),
        "Each assessment run of the client's code in the period with its outcome and every finding, and"
        " the vulnerabilities still open at the period's end, show that the code was scanned and the"
        " results recorded.",
    ),
    Control(
        "SI-2", NIST, "Flaw Remediation",
        ("vulnerabilities_open", "vulnerabilities_resolved"),
        ("vulnerabilities_open", "vulnerabilities_resolved"),
        "Vulnerabilities open at the period's end with the fix proposed for each, and those gone between"
        " consecutive assessment runs in the period with the fix that was due, show flaws identified and"
        " remediated.",
    ),
    Control(
        "CM-8", NIST, "System Component Inventory",
        ("components",), ("components",),
        "The packages each service depends on (project, name, version, license), from its latest"
        " assessment before the period's end, form the component inventory.",
    ),
    Control(
        "SA-22", NIST, "Unsupported System Components",
        ("runtimes",), ("runtimes",),
        "The Python runtimes each service runs on with their end-of-life dates, from its latest assessment"
        " before the period's end, identify components past their support.",
    ),
    Control(
        "CC7.1", SOC2, "Detecting vulnerabilities and configuration changes that introduce them",
        ("assessment_runs", "findings", "vulnerabilities_open", "vulnerabilities_resolved", "components",
         "runtimes"),
        ("assessment_runs",),
        "Assessment runs check the component inventory and runtimes for newly disclosed vulnerabilities"
        " and risky changes; their findings, and the vulnerabilities open and resolved, are recorded.",
    ),
    Control(
        "CC7.2", SOC2, "Monitoring system components for anomalies",
        ("monitors", "monitor_states", "availability", "incidents", REPORTS), ("monitor_states",),
        "Monitors watch each service; state changes and availability figures show the anomalies detected,"
        " and the incidents show which ones were raised for action.",
    ),
    Control(
        "CC7.3", SOC2, "Evaluating security events",
        ("incidents", "breaches", REPORTS), ("incidents",),
        "Each incident is evaluated: its priority, the SLA targets that apply to it and any breach of them.",
    ),
    Control(
        "CC7.4", SOC2, "Responding to security incidents",
        ("incidents", "incident_events", "incident_pauses", "notifications", "notification_attempts"),
        ("incidents",),
        "Incidents are answered under a defined program: acknowledgement and resolution against targets,"
        " the timeline of actions and pauses, and communication through notifications.",
    ),
    Control(
        "CC7.5", SOC2, "Recovering from security incidents",
        ("incidents", "incident_events", "vulnerabilities_resolved"),
        ("incidents", "vulnerabilities_resolved"),
        "Recovery is recorded: when each incident was resolved and how long it took, and the"
        " vulnerabilities remediated between assessment runs.",
    ),
)  # fmt: skip


def dataset_paths(name: str) -> tuple[str, str]:
    """The CSV and JSON paths of dataset `name` inside the pack."""
    return f"evidence/{name}.csv", f"evidence/{name}.json"


def _csv_cell(value: Cell) -> str:
    if isinstance(value, str):
        # A cell starting like a formula would run in a spreadsheet (CSV injection): quote it; the
        # JSON file keeps the exact text.
        return "'" + value if value[:1] in _FORMULA_START else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_bytes(dataset: Dataset) -> bytes:
    """The dataset as CSV (RFC 4180: a header row, CRLF line ends), UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(dataset.columns)
    for row in dataset.rows:
        writer.writerow([_csv_cell(row.get(column)) for column in dataset.columns])
    return out.getvalue().encode()


def dump_json(value: Any) -> bytes:
    """`value` as indented UTF-8 JSON with a final newline (key order as given)."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


def json_bytes(dataset: Dataset) -> bytes:
    """The dataset as JSON: its description, columns and rows (objects with the columns in order), one
    row a line (the indenting encoder is pure Python: a hundred thousand rows would take seconds)."""
    head = json.dumps(
        {"description": dataset.description, "columns": list(dataset.columns)}, ensure_ascii=False
    )
    rows = ",\n".join(
        json.dumps({column: row.get(column) for column in dataset.columns}, ensure_ascii=False)
        for row in dataset.rows
    )
    body = f"[\n{rows}\n]" if rows else "[]"
    return f'{head[:-1]}, "rows": {body}}}\n'.encode()


def _files(control: Control, report_paths: Sequence[str]) -> list[str]:
    files: list[str] = []
    for name in control.datasets:
        files.extend(report_paths if name == REPORTS else dataset_paths(name))
    return files


def index_entries(datasets: Mapping[str, Dataset], report_paths: Sequence[str]) -> list[dict[str, Any]]:
    """Each control with its framework, title, status, event count, supporting files and how they
    support it; a control whose event datasets are all empty says NO_EVENTS, never disappears."""
    entries = []
    for control in CONTROLS:
        events = sum(len(datasets[name].rows) for name in control.events)
        how = control.how
        if not events:
            empty = " and ".join(control.events)
            how = f"No events in the period ({empty}: no rows). " + how
        entries.append(
            {
                "id": control.id,
                "framework": control.framework,
                "title": control.title,
                "status": EVIDENCE if events else NO_EVENTS,
                "events": events,
                "files": _files(control, report_paths),
                "how": how,
            }
        )
    return entries


def _md(text: object) -> str:
    """Text for a Markdown table cell: pipes escaped, lines joined."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def index_markdown(index: Mapping[str, Any]) -> bytes:
    """INDEX.md: the pack's header, the controls with their files and status, then every file."""
    period, client = index["period"], index["client"]
    lines = [
        f"# Evidence pack: {client['name']}, {period['label']}",
        "",
        f"- Client: {client['name']} (id {client['id']})",
        f"- Period: {period['label']} ({period['kind']}, {period['timezone']}): {period['start']} to"
        f" {period['end']} (end excluded)",
        f"- Generated: {index['generated_at']} by Steward {index['steward_version']}",
        f"- Exported by: {index['exported_by']}",
        "- Verify: unzip, then `sha256sum -c MANIFEST.sha256` (every file but the manifest is listed)",
    ]
    lines.extend(f"- Note: {note}" for note in index["notes"])
    lines += ["", "## Controls", "", "| Control | Title | Status | Files |", "|---|---|---|---|"]
    for entry in index["controls"]:
        files = ", ".join(f"`{path}`" for path in entry["files"]) or "—"
        status = f"{entry['status']} ({entry['events']} rows)" if entry["events"] else entry["status"]
        lines.append(f"| {entry['id']} | {_md(entry['title'])} | {status} | {files} |")
    for entry in index["controls"]:
        lines += ["", f"### {entry['id']} {entry['title']}", "", f"{entry['framework']}. {entry['how']}"]
    lines += ["", "## Files", "", "| File | Rows | What it holds |", "|---|---|---|"]
    for item in index["files"]:
        rows = "" if item["rows"] is None else str(item["rows"])
        lines.append(f"| `{item['path']}` | {rows} | {_md(item['description'])} |")
    return ("\n".join(lines) + "\n").encode()
