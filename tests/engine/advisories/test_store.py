"""Importing into the embedded database: counts, incremental updates, atomicity, status."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.advisories import (
    Advisory,
    AdvisoryDatabase,
    AdvisoryError,
    DatabaseMissingError,
    MemoryAdvisories,
    SourceError,
    db_status,
    default_db_path,
    group,
    import_advisories,
    match,
    match_all,
    parse_record,
)
from pysteward.engine.model import Severity
from pysteward.errors import OperationalError
from tests.engine.advisories.helpers import raw, write_zip

ASSETS = Path(__file__).parent / "assets"
WITHDRAWN = {
    "PYSEC-2019-144", "PYSEC-2020-221", "PYSEC-2021-125", "PYSEC-2021-13", "PYSEC-2022-15",
    "PYSEC-2022-43055", "PYSEC-2022-43059", "PYSEC-2023-101", "PYSEC-2023-141", "PYSEC-2023-73",
}  # fmt: skip


def n(name: str) -> NormalizedName:
    return NormalizedName(name)


@pytest.fixture(scope="module")
def pypa_db(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    db_path = tmp_path_factory.mktemp("pypa") / "advisories.sqlite3"
    report = import_advisories(shared_data / "osv-pypi-pypa.zip", db_path)
    return db_path, report


def test_it_imports_the_pypa_export_with_the_documented_counts(pypa_db: tuple[Path, object]) -> None:
    db_path, report = pypa_db
    assert (report.added, report.withdrawn, report.skipped, report.removed) == (2661, 10, 0, 0)  # type: ignore[attr-defined]
    status = db_status(db_path, now=datetime(2026, 11, 22, tzinfo=UTC))
    assert (status.records, status.packages) == (2661, 664)
    assert status.newest_modified == datetime(2024, 10, 10, 17, 22, 0, 587279, tzinfo=UTC)
    assert status.source.endswith("osv-pypi-pypa.zip")
    assert status.path == db_path
    assert status.age == datetime(2026, 11, 22, tzinfo=UTC) - status.imported_at


def test_the_imported_data_matches_real_advisories(pypa_db: tuple[Path, object]) -> None:
    with AdvisoryDatabase(pypa_db[0]) as db:
        found = db.advisories_for([n("py"), n("django"), n("no-such-package")])
        assert set(found) == {"py", "django"}
        py = match("py", Version("1.11.0"), found[n("py")])
        assert [(f.advisory.id, f.fixed_in) for f in py] == [("PYSEC-2022-42969", None)]
        assert not match("py", Version("1.11.0.post1"), found[n("py")])
        # PYSEC-2024-55 carries `modified: 0001-01-01T00:00:00Z`; it is accepted as is.
        record = db.record("PYSEC-2024-55")
        assert record is not None and record["modified"] == "0001-01-01T00:00:00Z"


def test_withdrawn_records_are_stored_but_never_returned(pypa_db: tuple[Path, object]) -> None:
    with AdvisoryDatabase(pypa_db[0]) as db:
        assert all(db.record(i) is not None for i in WITHDRAWN)
        every = db.advisories_for(n(r) for r in _all_names(pypa_db[0]))
        returned = {a.id for advisories in every.values() for a in advisories}
        assert len(returned) == 2661 - 10
        assert not returned & WITHDRAWN


def _all_names(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("SELECT DISTINCT name FROM affects")]


def test_it_imports_a_directory_of_yaml_and_json_records(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    report = import_advisories(ASSETS / "records", db_path)
    assert (report.added, report.skipped) == (3, 0)
    with AdvisoryDatabase(db_path) as db:
        found = db.advisories_for([n("demo"), n("other-pkg")])
        stored = db.record("PYSEC-2099-1")
    assert stored is not None and stored["modified"] == "2024-05-01T10:00:00Z"  # a string, not a datetime
    vulns = group(match("demo", Version("1.3.0"), found[n("demo")]))
    assert [(v.id, v.aliases, v.severity, v.fix_versions) for v in vulns] == [
        ("PYSEC-2099-1", ("CVE-2099-0001", "GHSA-aaaa-bbbb-cccc"), Severity.HIGH, (Version("1.4"),))
    ]
    assert [a.name for a in found[n("other-pkg")][0].affected] == ["other-pkg"]  # the npm entry is ignored
    assert match("other-pkg", Version("2.5"), found[n("other-pkg")])
    assert not match("other-pkg", Version("2.5.1"), found[n("other-pkg")])


def test_malicious_records_are_reported_as_malicious(tmp_path: Path) -> None:
    import_advisories(ASSETS / "malicious", tmp_path / "db.sqlite3")
    pins = [
        ("reqeusts", Version("2.31.0")),
        ("pyyaml-tools", Version("0.2")),
        ("pyyaml-tools", Version("0.3")),
    ]
    with AdvisoryDatabase(tmp_path / "db.sqlite3") as db:
        result = match_all(pins, db)
    mal = group(result[(n("reqeusts"), Version("2.31.0"))])
    assert [(v.id, v.severity, v.malicious) for v in mal] == [("MAL-2099-1", Severity.MALICIOUS, True)]
    origin = group(result[(n("pyyaml-tools"), Version("0.2"))])
    assert [(v.id, v.severity, v.malicious) for v in origin] == [
        ("GHSA-mmmm-aaaa-llll", Severity.MALICIOUS, True)
    ]
    assert result[(n("pyyaml-tools"), Version("0.3"))] == []


def records_v1() -> list[dict[str, object]]:
    return [
        raw("PYSEC-1", ranges=[[("introduced", "0"), ("fixed", "2.0")]]),
        raw("PYSEC-2", "other", versions=["1.0"]),
        raw("PYSEC-3", "third", versions=["3.0"]),
    ]


def test_reimporting_leaves_unchanged_records_untouched(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    import_advisories(write_zip(tmp_path / "v1.zip", records_v1()), db_path)
    before = _rowids(db_path)
    v2 = records_v1()[:2]
    v2[0] = raw("PYSEC-1", ranges=[[("introduced", "0"), ("fixed", "1.5")]], modified="2024-02-01T00:00:00Z")
    v2.append(raw("PYSEC-4", "fourth", versions=["4.0"]))
    report = import_advisories(write_zip(tmp_path / "v2.zip", v2), db_path)
    assert (report.added, report.updated, report.unchanged, report.removed) == (1, 1, 1, 0 + 1)
    assert _rowids(db_path)["PYSEC-2"] == before["PYSEC-2"]  # not rewritten
    with AdvisoryDatabase(db_path) as db:
        found = db.advisories_for([n("demo"), n("third"), n("fourth")])
        assert db.record("PYSEC-3") is None
    assert n("third") not in found  # the removed record stops matching
    assert not match("demo", Version("1.7"), found[n("demo")])
    assert match("fourth", Version("4"), found[n("fourth")])


def _rowids(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT id, rowid FROM records").fetchall())


def _corrupt_middle_entry(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    marker = data.find(b"PYSEC-2.json") + len(b"PYSEC-2.json")
    for offset in range(marker + 5, marker + 40):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("damage", ["truncated", "corrupt entry", "missing"])
def test_a_failing_import_keeps_what_was_stored(tmp_path: Path, damage: str) -> None:
    db_path = tmp_path / "db.sqlite3"
    import_advisories(write_zip(tmp_path / "good.zip", records_v1()), db_path)
    bad = write_zip(tmp_path / "bad.zip", [raw(f"NEW-{i}", versions=["1"]) for i in range(3)] + records_v1())
    if damage == "truncated":
        bad.write_bytes(bad.read_bytes()[:200])
    elif damage == "corrupt entry":
        _corrupt_middle_entry(bad)
    else:
        bad = tmp_path / "nowhere.zip"
    with pytest.raises(SourceError) as caught:
        import_advisories(bad, db_path)
    assert isinstance(caught.value, OperationalError)
    assert str(bad) in str(caught.value)
    status = db_status(db_path)
    assert status.records == 3
    assert status.source.endswith("good.zip")
    with AdvisoryDatabase(db_path) as db:
        assert set(db.advisories_for([n("demo"), n("other"), n("third")])) == {"demo", "other", "third"}


def test_an_empty_source_is_refused_rather_than_emptying_the_database(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no OSV records"):
        import_advisories(tmp_path / "empty", tmp_path / "db.sqlite3")


def test_a_duplicate_record_id_is_skipped(tmp_path: Path) -> None:
    source = tmp_path / "dir"
    (source / "a").mkdir(parents=True)
    (source / "b").mkdir()
    write = [raw("PYSEC-1", versions=["1"]), raw("PYSEC-1", versions=["2"])]
    (source / "a" / "PYSEC-1.json").write_text(str(write[0]).replace("'", '"'))
    (source / "b" / "PYSEC-1.json").write_text(str(write[1]).replace("'", '"'))
    report = import_advisories(source, tmp_path / "db.sqlite3")
    assert (report.added, report.skipped) == (1, 1)
    assert "duplicate record id PYSEC-1" in report.skipped_reasons[0]


def test_a_missing_database_names_the_command_that_fixes_it(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissingError) as caught:
        AdvisoryDatabase(tmp_path / "none.sqlite3")
    assert isinstance(caught.value, OperationalError)
    assert caught.value.hint is not None and "steward db update" in caught.value.hint
    assert "steward db import FILE" in caught.value.hint
    with pytest.raises(DatabaseMissingError):
        db_status(tmp_path / "none.sqlite3")


def test_a_file_that_is_not_a_database_is_reported_not_crashed_on(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(DatabaseMissingError, match="not an advisory database"):
        AdvisoryDatabase(bogus)


def test_the_default_database_lives_in_the_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STEWARD_DATA_DIR", str(tmp_path))
    assert default_db_path() == tmp_path / "advisories.sqlite3"
    import_advisories(ASSETS / "malicious", None)
    assert db_status().records == 2


def test_the_database_uses_wal_and_reports_its_age(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    import_advisories(ASSETS / "malicious", db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    later = datetime.now(UTC) + timedelta(days=3)
    assert db_status(db_path, now=later).age >= timedelta(days=3) - timedelta(minutes=1)


def test_the_report_summarises_what_the_import_did(tmp_path: Path) -> None:
    source = tmp_path / "dir"
    source.mkdir()
    (source / "A.json").write_text('{"id": "PYSEC-1", "affected": []}')
    (source / "B.json").write_text("{broken")
    report = import_advisories(source, tmp_path / "db.sqlite3")
    assert report.records == 1
    assert report.summary().endswith(
        "1 added, 0 updated, 0 unchanged, 0 removed, 0 withdrawn, 1 malformed skipped"
    )


def test_a_record_of_two_packages_is_loaded_once_and_odd_timestamps_are_tolerated(tmp_path: Path) -> None:
    both = raw("PYSEC-1", versions=["1.0"], modified="2024-03-01T00:00:00")
    both["affected"].append({"package": {"ecosystem": "PyPI", "name": "second"}, "versions": ["2.0"]})
    odd = raw("PYSEC-2", "third", versions=["1"], modified="yesterday")
    import_advisories(write_zip(tmp_path / "x.zip", [both, odd]), tmp_path / "db.sqlite3")
    assert db_status(tmp_path / "db.sqlite3").newest_modified == datetime(2024, 3, 1, tzinfo=UTC)
    with AdvisoryDatabase(tmp_path / "db.sqlite3") as db:
        found = db.advisories_for([n("demo"), n("second")])
    assert found[n("demo")][0] is found[n("second")][0]


def test_a_database_with_a_damaged_table_is_an_operational_error(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    import_advisories(ASSETS / "malicious", db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE affects")
        conn.execute("CREATE TABLE affects (x INTEGER)")
    with pytest.raises(AdvisoryError, match="cannot write the advisory database") as caught:
        import_advisories(ASSETS / "records", db_path)
    assert caught.value.hint is not None


def test_a_database_from_another_schema_version_is_rebuilt_on_import(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    import_advisories(ASSETS / "malicious", db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(DatabaseMissingError, match="another version of Steward"):
        AdvisoryDatabase(db_path)
    report = import_advisories(ASSETS / "malicious", db_path)
    assert report.added == 2


def _sample_pins(found: dict[NormalizedName, list[Advisory]]) -> list[tuple[str, Version]]:
    """Versions at and around every bound, fix and listed version of each package, plus a few others."""
    pins: list[tuple[str, Version]] = []
    for name, records in sorted(found.items()):
        texts = {"0", "1.0", "99"}
        for record in records:
            for entry in record.affected:
                texts |= {str(v) for i in entry.intervals for v in (i.lower, i.upper) if v is not None}
                texts |= {str(v) for v in entry.fixed} | set(sorted(entry.versions)[:5])
        for text in sorted(texts):
            base = Version(text).base_version
            pins += [(name, Version(text)), (name, Version(base + ".post7")), (name, Version(base + "rc9"))]
    return pins


def test_the_stored_indexes_agree_with_matching_record_by_record(pypa_db: tuple[Path, object]) -> None:
    with AdvisoryDatabase(pypa_db[0]) as db:
        found = db.advisories_for(n(r) for r in _all_names(pypa_db[0]))
    pins = _sample_pins(found)
    with AdvisoryDatabase(pypa_db[0]) as db:
        stored = match_all(pins, db)
    in_memory = match_all(pins, MemoryAdvisories(a for records in found.values() for a in records))
    assert len(pins) > 20_000 and sum(map(bool, stored.values())) > 10_000
    for (name, version), hits in stored.items():
        expected = match(name, version, found[name])
        assert [(h.advisory.id, str(h.fixed_in)) for h in hits] == [
            (e.advisory.id, str(e.fixed_in)) for e in expected
        ]
        assert hits == in_memory[(name, version)]


def test_an_advisory_read_back_equals_the_parsed_one(tmp_path: Path) -> None:
    record = raw(
        "PYSEC-1",
        ranges=[[("introduced", "0"), ("fixed", "2.0")]],
        versions=["2.5"],
        aliases=["CVE-1", ""],  # an empty alias cannot be stored split: JSON is used instead
        references=[{"type": "WEB", "url": "https://a.invalid/\x1f"}],
        details="détails",
    )
    plain = raw("PYSEC-2", aliases=["CVE-2"], upstream=["GHSA-x"], references=[{"url": "https://b.invalid"}])
    import_advisories(write_zip(tmp_path / "x.zip", [record, plain]), tmp_path / "db.sqlite3")
    with AdvisoryDatabase(tmp_path / "db.sqlite3") as db:
        stored = db.advisories_for([n("demo")])[n("demo")]
    parsed = [parse_record(record), parse_record(plain)]
    assert stored == parsed and hash(stored[0]) == hash(parsed[0]) and stored[0] != "PYSEC-1"
    assert (stored[1].aliases, stored[1].upstream, stored[1].references) == (
        ("CVE-2",),
        ("GHSA-x",),
        ("https://b.invalid",),
    )
    again = pickle.loads(pickle.dumps(stored[0]))
    assert again == parsed[0] and copy.copy(stored[1]).affected == parsed[1].affected
    with pytest.raises(dataclasses.FrozenInstanceError):
        stored[0].affected = ()  # type: ignore[misc]


def test_an_import_recompiles_the_indexes_of_the_packages_it_changed(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    import_advisories(write_zip(tmp_path / "v1.zip", records_v1()), db_path)
    pins = [
        ("demo", Version("1.7")),
        ("other", Version("1.0")),
        ("third", Version("3")),
        ("fourth", Version("4")),
    ]
    with AdvisoryDatabase(db_path) as db:
        before = {name: bool(hits) for (name, _), hits in match_all(pins, db).items()}
    assert before == {"demo": True, "other": True, "third": True, "fourth": False}
    v2 = records_v1()[:2]
    v2[0] = raw("PYSEC-1", ranges=[[("introduced", "0"), ("fixed", "1.5")]], modified="2024-02-01T00:00:00Z")
    v2.append(raw("PYSEC-4", "fourth", versions=["4.0"]))
    import_advisories(write_zip(tmp_path / "v2.zip", v2), db_path)
    with AdvisoryDatabase(db_path) as db:
        after = {name: bool(hits) for (name, _), hits in match_all(pins, db).items()}
        assert db.package_indexes([n("third")]) == {}
    assert after == {"demo": False, "other": True, "third": False, "fourth": True}


def test_a_database_written_before_the_compiled_indexes_asks_to_be_imported_again(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    import_advisories(ASSETS / "malicious", db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(DatabaseMissingError, match="written by another version of Steward") as caught:
        AdvisoryDatabase(db_path)
    assert caught.value.hint is not None and "steward db update" in caught.value.hint
