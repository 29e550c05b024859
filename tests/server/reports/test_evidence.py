"""The evidence pack's contents from the database (issue 6 §4), on SQLite and PostgreSQL: reports,
evidence rows against the seeded world, the index and manifest, empty periods, determinism, tenancy."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pysteward import __version__
from pysteward.server.errors import ApiError
from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.principal import Principal
from pysteward.server.reports.evidence import MANIFEST, build_evidence_pack, evidence_period
from pysteward.server.reports.evidence_controls import CONTROLS, NO_EVENTS
from pysteward.server.reports.models import Report
from pysteward.server.slas.periods import PeriodError
from tests.server.conftest import Personas
from tests.server.evidence.world import NOW, Pack, Seeded, at, open_pack, seed
from tests.server.slas.matrix import staff, viewer

CONTROL_IDS = ["CA-7", "IR-4", "IR-5", "IR-6", "RA-5", "SI-2", "CM-8", "SA-22",
               "CC7.1", "CC7.2", "CC7.3", "CC7.4", "CC7.5"]  # fmt: skip


@pytest.fixture
def seeded(sessions: sessionmaker[Session], personas: Personas) -> Seeded:
    return seed(sessions, personas)


def build(
    sessions: sessionmaker[Session],
    principal: Principal,
    client_id: int,
    label: str = "2026-11",
    now: datetime = NOW,
) -> bytes:
    with sessions() as session:
        period = evidence_period(label, timezone="UTC", now=now)
        return build_evidence_pack(session, principal=principal, client_id=client_id, period=period, now=now)


@pytest.fixture
def pack(seeded: Seeded, sessions: sessionmaker[Session], personas: Personas) -> Pack:
    return open_pack(build(sessions, staff(personas), personas.acme))


def test_the_pack_holds_the_latest_version_of_each_report_inside_the_period(pack: Pack) -> None:
    reports = sorted(path for path in pack.files if path.startswith("reports/"))
    assert reports == [
        "reports/monthly-2026-11-v2.html",
        "reports/monthly-2026-11-v2.pdf",
        "reports/weekly-2026-W46-v1.html",
        "reports/weekly-2026-W46-v1.pdf",
    ]
    listed = pack.index["reports"]
    assert [(r["kind"], r["version"], r["generated_for_pack"]) for r in listed] == [
        ("monthly", 2, False),
        ("weekly", 1, False),
    ]  # by period start: the week of 9 November starts after the month
    pdf = pack.files["reports/monthly-2026-11-v2.pdf"]
    assert hashlib.sha256(pdf).hexdigest() == listed[0]["archived_sha256"]
    assert pack.root == "evidence-acme-2026-11"


def test_the_index_maps_every_control_to_files_the_manifest_verifies(pack: Pack) -> None:
    index = pack.index
    assert [entry["id"] for entry in index["controls"]] == CONTROL_IDS
    for entry in index["controls"]:
        assert entry["files"], entry["id"]
        missing = [path for path in entry["files"] if path not in pack.files]
        assert not missing, (entry["id"], missing)
        assert entry["how"]
    assert pack.control("CA-7")["title"] == "Continuous Monitoring"
    assert pack.control("SA-22")["files"] == ["evidence/runtimes.csv", "evidence/runtimes.json"]
    assert "reports/monthly-2026-11-v2.pdf" in pack.control("CA-7")["files"]
    assert (index["period"]["label"], index["period"]["start"]) == ("2026-11", "2026-11-01T00:00:00+00:00")
    assert (index["generated_at"], index["steward_version"]) == (NOW.isoformat(), __version__)
    markdown = pack.files["INDEX.md"].decode()
    for control in CONTROLS:
        assert f"### {control.id} {control.title}" in markdown
    assert "| `evidence/incidents.csv` | 2 |" in markdown
    lines = pack.files[MANIFEST].decode().splitlines()
    manifest = {path: digest for digest, path in (line.split("  ", 1) for line in lines)}
    assert sorted(manifest) == sorted(path for path in pack.files if path != MANIFEST)
    for path, digest in manifest.items():
        assert hashlib.sha256(pack.files[path]).hexdigest() == digest, path


def test_incident_rows_match_the_seeded_incidents_breaches_and_notifications(
    pack: Pack, seeded: Seeded, personas: Personas
) -> None:
    rows = pack.rows("incidents")
    assert [int(row["incident_id"]) for row in rows] == [seeded.answered, seeded.late]
    answered, late = rows
    assert (answered["priority"], answered["response_state"], answered["resolution_state"]) == (
        "P2",
        "met",
        "met",
    )
    assert answered["response_elapsed_seconds"] == "300.0"
    assert answered["response_target"] == "1 hours (24x7)"
    assert (late["response_state"], late["breaches"], late["paused_seconds"]) == ("missed", "1", "7200.0")
    assert late["response_target"] == "15 minutes (24x7)"
    events = pack.rows("incident_events")
    assert [row["kind"] for row in events] == [
        "opened",
        "acknowledged",
        "update",
        "resolved",
        "opened",
        "breached",
    ]
    assert [row["public"] for row in events][:3] == ["false", "false", "true"]
    pauses = pack.rows("incident_pauses")
    assert [(int(p["incident_id"]), p["seconds"], p["reason"]) for p in pauses] == [
        (seeded.late, "7200.0", "client")
    ]
    breaches = pack.rows("breaches")
    assert [(int(b["breach_id"]), b["target"], b["due_at"]) for b in breaches] == [
        (seeded.breach, "response", "2026-11-20T09:15:00+00:00")
    ]

    # Provider staff see every notification of the incidents, and each attempt.
    sent = pack.rows("notifications")
    assert [int(row["delivery_id"]) for row in sent] == [
        seeded.client_delivery,
        seeded.provider_delivery,
        seeded.mail_delivery,
    ]
    assert sent[0]["recipient"].endswith(": acme ops")
    assert [(row["channel_kind"], row["status"]) for row in sent] == [
        ("mailto", "sent"),
        ("json", "sent"),
        ("mailto", "failed"),
    ]
    assert sent[2]["recipient"] == f"user {personas['engineer'].user_id} (e-mail)"
    assert "pager.invalid" not in pack.files["evidence/notifications.csv"].decode()  # never the URL
    attempts = pack.rows("notification_attempts")
    assert [row["outcome"] for row in attempts] == ["transient", "success", "transient", "success"]
    assert pack.control("IR-6")["status"] == "evidence"


def test_a_client_viewer_exports_their_own_pack_without_the_providers_channels(
    seeded: Seeded, sessions: sessionmaker[Session], personas: Personas
) -> None:
    pack = open_pack(build(sessions, viewer(personas), personas.acme))
    assert [int(row["delivery_id"]) for row in pack.rows("notifications")] == [seeded.client_delivery]
    assert len(pack.rows("notification_attempts")) == 2
    assert pack.index["exported_by"].startswith("client viewer")
    with pytest.raises(ApiError) as refused:
        build(sessions, viewer(personas), personas.globex)
    assert (refused.value.status, refused.value.message) == (404, f"client {personas.globex} not found")


def test_monitor_rows_count_the_periods_checks_and_time_in_each_state(pack: Pack, seeded: Seeded) -> None:
    (monitor,) = pack.rows("monitors")
    assert (int(monitor["monitor_id"]), monitor["service"], monitor["kind"]) == (
        seeded.monitor,
        "shop",
        "http",
    )
    assert (monitor["checks"], monitor["failed_checks"]) == ("120", "30")  # December's hour is not counted
    assert (monitor["down_seconds"], monitor["unknown_seconds"]) == ("1800.0", "0.0")
    assert float(monitor["up_seconds"]) == 30 * 86_400 - 1800
    assert monitor["state_changes"] == "2"
    states = pack.rows("monitor_states")
    assert [(s["state"], s["ended_at"]) for s in states] == [
        ("up", "2026-11-10T10:00:00+00:00"),
        ("down", "2026-11-10T10:30:00+00:00"),
        ("up", ""),
    ]
    (figure,) = pack.json_rows("availability")
    assert (figure["service"], figure["met"], figure["down_seconds"]) == ("shop", True, 1800.0)
    assert figure["target_percent"] == "99.9"
    assert figure["formula"]
    assert pack.control("CA-7")["events"] == 3


def test_assessment_rows_show_runs_findings_vulnerabilities_components_and_runtimes(
    pack: Pack, seeded: Seeded
) -> None:
    october, november, failed = seeded.runs
    runs = pack.rows("assessment_runs")
    assert [(int(r["run_id"]), r["status"]) for r in runs] == [(november, "succeeded"), (failed, "failed")]
    assert (runs[0]["risk_grade"], runs[0]["eol_runtimes"], runs[1]["error"]) == (
        "D",
        "1",
        "repository not found",
    )
    findings = pack.rows("findings")
    assert [(int(f["run_id"]), f["kind"]) for f in findings] == [
        (november, "vulnerability"),
        (november, "license"),
    ]
    (still_open,) = pack.rows("vulnerabilities_open")
    assert (still_open["key"], still_open["severity"], int(still_open["run_id"])) == (
        "pyyaml:PYSEC-2099-2", "critical", november,
    )  # fmt: skip
    (resolved,) = pack.rows("vulnerabilities_resolved")
    assert (resolved["key"], resolved["fix"]) == ("django:PYSEC-2099-1", "upgrade django to 4.2.12")
    assert (int(resolved["last_seen_run_id"]), int(resolved["resolved_run_id"])) == (october, november)
    assert pack.control("SI-2")["events"] == 2

    # Components and runtimes come from the latest succeeded assessment before the period's end.
    components = pack.rows("components")
    assert [c["name"] for c in components] == ["pyyaml", "'=HYPERLINK()"]  # a formula is quoted in CSV
    assert pack.json_rows("components")[1]["name"] == "=HYPERLINK()"  # and exact in JSON
    runtimes = pack.json_rows("runtimes")
    assert [(r["version"], r["eol"], r["past_end_of_life_at_period_end"]) for r in runtimes] == [
        ("3.8", "2024-10-07", True),
        ("3.12", "2028-10-31", False),
    ]
    assert pack.control("SA-22")["status"] == "evidence"
    assert pack.control("CM-8")["events"] == 2


def test_assessment_data_off_the_contract_is_shown_as_far_as_it_goes(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        service = Service(client_id=personas.globex, name="legacy")
        session.add(service)
        session.flush()
        odd = {
            "findings": "many",
            "runtimes": "3.6",
            "eol_runtimes": [{"version": "2.7", "eol": "soon"}, "x"],
        }
        run = AssessmentRun(
            service_id=service.id, repository_path=".", status=AssessmentStatus.SUCCEEDED,
            started_at=at(5), summary=odd, findings=["not a finding", {"kind": "VULNERABILITY", "key": 7}],
        )  # fmt: skip
        session.add(run)
        session.commit()
    pack = open_pack(build(sessions, staff(personas), personas.globex, "2026-W45"))
    (row,) = pack.json_rows("assessment_runs")
    assert (row["findings"], row["eol_runtimes"]) == (None, 2)
    assert [(f["key"], f["title"]) for f in pack.json_rows("vulnerabilities_open")] == [("7", None)]
    runtimes = pack.json_rows("runtimes")
    assert [
        (r["version"], r["supported_when_assessed"], r["past_end_of_life_at_period_end"]) for r in runtimes
    ] == [("2.7", False, None)]


def test_a_period_without_events_lists_every_control_saying_so(
    seeded: Seeded, sessions: sessionmaker[Session], personas: Personas
) -> None:
    pack = open_pack(build(sessions, staff(personas), personas.acme, "2026-W39"))
    assert [c["id"] for c in pack.index["controls"]] == CONTROL_IDS
    assert {c["status"] for c in pack.index["controls"]} == {NO_EVENTS}
    assert pack.control("IR-4")["how"].startswith("No events in the period (incidents: no rows).")
    assert pack.files["evidence/incidents.csv"].decode().startswith("incident_id,service_id,")
    assert pack.rows("incidents") == []
    assert pack.index["notes"] == ["No archived report lies inside the period."]
    assert pack.files["INDEX.md"].decode().count(f"| {NO_EVENTS} |") == len(CONTROL_IDS)


def test_two_packs_of_the_same_data_differ_only_in_their_generation_time(
    seeded: Seeded, sessions: sessionmaker[Session], personas: Personas
) -> None:
    first = build(sessions, staff(personas), personas.acme)
    assert build(sessions, staff(personas), personas.acme) == first
    later = build(sessions, staff(personas), personas.acme, now=NOW + timedelta(days=3))
    a, b = open_pack(first), open_pack(later)
    differing = sorted(path for path in a.files if a.files[path] != b.files.get(path))
    assert differing == ["INDEX.md", MANIFEST, "index.json"]
    with zipfile.ZipFile(io.BytesIO(later)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(2026, 12, 5, 8, 0, 0)}


def test_a_running_period_or_a_viewers_export_gets_no_report_generated(
    seeded: Seeded, sessions: sessionmaker[Session], personas: Personas
) -> None:
    pack = open_pack(build(sessions, staff(personas), personas.globex, "current", now=at(20)))
    assert pack.index["period"]["label"] == "2026-11"
    assert pack.index["reports"] == []
    assert pack.index["notes"][0].startswith("The period has not ended")
    (open_incident,) = pack.json_rows("incidents")  # Globex's: no SLA, so no targets; still open
    assert (open_incident["incident_id"], open_incident["response_target"]) == (seeded.globex_incident, None)
    assert (open_incident["resolved_at"], open_incident["resolution_elapsed_seconds"]) == (None, None)
    ended = open_pack(build(sessions, viewer(personas, "globex_viewer"), personas.globex, "2026-10"))
    assert ended.index["reports"] == []
    assert ended.index["notes"] == [
        "The month has no archived monthly report; provider staff can have one generated.",
        "No archived report lies inside the period.",
    ]
    with sessions() as session:  # only the four the world archived for Acme
        assert (
            session.scalar(
                select(func.count()).select_from(Report).where(Report.client_id == personas.globex)
            )
            == 0
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "period: '2026-13' is not a month (YYYY-MM)"),
        ("november", "period: 'november' is not a month (YYYY-MM), a week (YYYY-Www), previous or current"),
        ("2027-01", "period: 2027-01 has not begun yet"),
        ("0001-W01", "period: 0001-W01 is before 1970"),
        ("2026-Q4", "period: '2026-Q4' is not a month (YYYY-MM), a week (YYYY-Www), previous or current"),
    ],
)
def test_a_bad_period_is_refused_naming_it(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message.replace("(", r"\(").replace(")", r"\)")):
        evidence_period(text, timezone="UTC", now=NOW)


def test_periods_are_cut_in_the_clients_time_zone() -> None:
    week = evidence_period("2026-W47", timezone="Europe/Paris", now=NOW)
    assert (week.start.isoformat(), week.end.isoformat()) == (
        "2026-11-15T23:00:00+00:00",
        "2026-11-22T23:00:00+00:00",
    )
    assert evidence_period("previous", timezone="UTC", now=NOW).label == "2026-11"
