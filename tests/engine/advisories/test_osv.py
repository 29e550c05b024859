"""Validation of OSV records: malformed ones are skipped and counted, never a crash."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.advisories import (
    AdvisoryDatabase,
    MalformedRecord,
    SourceError,
    import_advisories,
    match,
    parse_record,
)
from pysteward.engine.model import normalize
from pysteward.engine.observer import Observer
from tests.engine.advisories.helpers import raw

ASSETS = Path(__file__).parent / "assets"


class Recorder(Observer):
    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.events: list[tuple[str, str, int | None]] = []

    def start(self, task: str, total: int | None = None) -> None:
        self.events.append(("start", task, total))

    def advance(self, task: str, steps: int = 1) -> None:
        self.events.append(("advance", task, steps))

    def finish(self, task: str) -> None:
        self.events.append(("finish", task, None))

    def warn(self, message: str) -> None:
        self.warnings.append(message)


MALFORMED = {
    "missing-id.json": "id: missing or not a string",
    "id-not-a-string.json": "id: missing or not a string",
    "record-not-an-object.json": "record: expected dict, got list",
    "aliases-not-a-list.json": "aliases: expected list, got str",
    "affected-not-a-list.json": "affected: expected list, got dict",
    "package-without-name.json": "affected[0].package.name: expected str, got NoneType",
    "events-not-a-list.json": "affected[0].ranges[0].events: expected list, got dict",
    "event-with-two-kinds.json": "affected[0].ranges[0].events[0]: an event needs exactly one of",
    "range-without-introduced.json": "affected[0].ranges[0].events: a range needs an introduced event",
    "fixed-not-a-string.json": "affected[0].ranges[0].events[1].fixed: expected str, got float",
    "severity-score-missing.json": "severity[0].score: expected str, got NoneType",
    "reference-without-url.json": "references[0].url: expected str, got NoneType",
    "not-json.json": "not valid JSON",
    "not-yaml.yaml": "not valid YAML",
    "versions-not-strings.yaml": "affected[0].versions[0]: expected str, got float",
    "binary-value.yaml": "not representable as JSON",
}


def with_good_record(tmp_path: Path, *names: str) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name in names:
        shutil.copy(ASSETS / "malformed" / name, source / name)
    (source / "GOOD-1.json").write_text(json.dumps(raw("GOOD-1", versions=["1.0"])))
    return source


def test_every_failure_mode_has_an_asset() -> None:
    assert {p.name for p in (ASSETS / "malformed").iterdir()} == set(MALFORMED)


@pytest.mark.parametrize(("name", "message"), sorted(MALFORMED.items()))
def test_it_skips_a_malformed_record_and_says_why(tmp_path: Path, name: str, message: str) -> None:
    observer = Recorder()
    report = import_advisories(with_good_record(tmp_path, name), tmp_path / "db.sqlite3", observer=observer)
    assert (report.added, report.skipped) == (1, 1)
    assert report.skipped_reasons[0].startswith(f"{name}: ")
    assert message in report.skipped_reasons[0]
    assert len(observer.warnings) == 1
    assert "skipped 1 malformed advisory records" in observer.warnings[0]


def test_it_counts_all_malformed_records_but_keeps_only_the_first_reasons(tmp_path: Path) -> None:
    report = import_advisories(with_good_record(tmp_path, *MALFORMED), tmp_path / "db.sqlite3")
    assert report.skipped == len(MALFORMED)
    assert len(report.skipped_reasons) == 5
    assert report.added == 1


def test_it_reports_start_progress_and_finish_to_the_observer(tmp_path: Path) -> None:
    observer = Recorder()
    import_advisories(
        with_good_record(tmp_path, "missing-id.json"), tmp_path / "db.sqlite3", observer=observer
    )
    assert observer.events[0] == ("start", "import advisories", 2)
    assert observer.events.count(("advance", "import advisories", 1)) == 2
    assert observer.events[-1] == ("finish", "import advisories", None)


def test_it_keeps_a_record_whose_ecosystem_range_has_an_unreadable_version(tmp_path: Path) -> None:
    record = raw("PYSEC-9", ranges=[[("introduced", "0"), ("fixed", "2019-09-12")], [("introduced", "3.0")]])
    source = tmp_path / "source"
    source.mkdir()
    (source / "PYSEC-9.json").write_text(json.dumps(record))
    observer = Recorder()
    report = import_advisories(source, tmp_path / "db.sqlite3", observer=observer)
    assert (report.added, report.skipped, report.ranges_ignored) == (1, 0, 1)
    assert "'2019-09-12' (range ignored)" in report.warnings[0]
    assert "ignored 1 unreadable version ranges" in observer.warnings[0]
    with AdvisoryDatabase(tmp_path / "db.sqlite3") as db:
        stored = db.advisories_for([normalize("demo")])[normalize("demo")]
    assert not match("demo", Version("1.0"), stored)
    assert match("demo", Version("3.1"), stored)


def test_it_ignores_affected_entries_of_other_ecosystems() -> None:
    record = raw("PYSEC-1", ranges=[[("introduced", "0")]])
    record["affected"].append({"package": {"ecosystem": "npm", "name": "demo"}, "versions": [1]})
    advisory = parse_record(record)
    assert [a.name for a in advisory.affected] == ["demo"]


def test_parse_record_raises_a_value_error_subclass() -> None:
    with pytest.raises(MalformedRecord, match=r"^id: missing") as caught:
        parse_record({"affected": []})
    assert isinstance(caught.value, ValueError)


def test_an_unreadable_file_fails_the_import_and_keeps_the_old_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = with_good_record(tmp_path)
    db_path = tmp_path / "db.sqlite3"
    import_advisories(source, db_path)

    def refuse(self: Path) -> bytes:
        raise PermissionError("denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(SourceError, match=r"GOOD-1\.json: cannot be read: denied"):
        import_advisories(source, db_path)
    monkeypatch.undo()
    with AdvisoryDatabase(db_path) as db:
        assert db.record("GOOD-1") is not None
