"""The shipped CPython release-cycle table and status on a given day."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

import pytest

from pysteward.engine.observer import Observer
from pysteward.engine.runtime import ReleaseCycle, ReleaseCycleError, ReleaseStatus, minor_of
from pysteward.engine.runtime.cycle import TABLE_NAME

TODAY = date(2026, 11, 22)


class Recorder(Observer):
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)


@pytest.fixture(scope="module")
def cycle() -> ReleaseCycle:
    return ReleaseCycle.load()


def test_the_shipped_table_covers_2_6_to_3_16_and_says_how_old_it_is(cycle: ReleaseCycle) -> None:
    assert cycle.as_of == TODAY
    assert cycle.versions[0] == "2.6"
    assert cycle.versions[-1] == "3.16"
    assert {"2.7", "3.0", "3.9", "3.10", "3.15"} <= set(cycle.versions)
    assert "PEP" in cycle.source or "PEPs" in cycle.source


def test_the_shipped_table_agrees_with_the_published_release_cycle(
    cycle: ReleaseCycle, shared_data: Path
) -> None:
    published = json.loads((shared_data / "cpython-release-cycle-peps-derived.json").read_text("utf-8"))
    assert set(published) == set(cycle.versions)
    for version, record in published.items():
        entry = cycle.entries[version]
        assert entry.first_release.isoformat() == record["first_release"], version
        assert entry.pep == record["pep"], version
        if entry.approximate:
            assert entry.end_of_life.day == 1
            assert entry.end_of_life.isoformat()[:7] == record["end_of_life"][:7], version
        else:
            assert entry.end_of_life.isoformat() == record["end_of_life"], version


def test_the_shipped_table_agrees_with_the_release_history_toml(
    cycle: ReleaseCycle, shared_data: Path
) -> None:
    history = tomllib.loads((shared_data / "cpython-python-releases.toml").read_text("utf-8"))
    metadata = history["metadata"]
    for version in cycle.versions:
        entry, facts = cycle.entries[version], metadata[version]
        assert entry.first_release == facts["first-release"], version
        assert entry.feature_freeze == facts["feature-freeze"], version
        if entry.approximate:
            assert (entry.end_of_life.year, entry.end_of_life.month) == (
                facts["end-of-life"].year,
                facts["end-of-life"].month,
            ), version
        else:
            assert entry.end_of_life == facts["end-of-life"], version


def test_versions_from_3_13_get_two_years_of_bugfixes_and_earlier_ones_about_eighteen_months(
    cycle: ReleaseCycle,
) -> None:
    for version in ("3.13", "3.14", "3.15", "3.16"):
        entry = cycle.entries[version]
        assert entry.end_of_bugfix is not None
        assert entry.end_of_bugfix.year - entry.first_release.year == 2, version
    for version in ("3.9", "3.10", "3.12"):
        entry = cycle.entries[version]
        assert entry.end_of_bugfix is not None
        months = (entry.end_of_bugfix - entry.first_release).days / 30.4
        assert 17 <= months <= 20, version


@pytest.mark.parametrize(
    ("version", "on", "status"),
    [
        ("3.10", TODAY, ReleaseStatus.END_OF_LIFE),
        ("3.9", TODAY, ReleaseStatus.END_OF_LIFE),
        ("2.7", TODAY, ReleaseStatus.END_OF_LIFE),
        ("3.11", TODAY, ReleaseStatus.SECURITY),
        ("3.13", TODAY, ReleaseStatus.SECURITY),
        ("3.13", date(2026, 8, 1), ReleaseStatus.BUGFIX),
        ("3.14", TODAY, ReleaseStatus.BUGFIX),
        ("3.15", TODAY, ReleaseStatus.BUGFIX),
        ("3.15", date(2026, 9, 30), ReleaseStatus.PRERELEASE),
        ("3.15", date(2026, 5, 4), ReleaseStatus.FEATURE),
        ("3.16", TODAY, ReleaseStatus.FEATURE),
        ("3.16", date(2027, 6, 1), ReleaseStatus.PRERELEASE),
        ("3.10", date(2026, 9, 30), ReleaseStatus.SECURITY),
    ],
)
def test_it_computes_the_status_from_the_dates(
    cycle: ReleaseCycle, version: str, on: date, status: ReleaseStatus
) -> None:
    assert cycle.status(version, on).status is status


def test_it_counts_the_days_left_until_end_of_life(cycle: ReleaseCycle) -> None:
    assert cycle.status("3.12", TODAY).days_left == (date(2028, 10, 1) - TODAY).days
    assert cycle.status("3.9", TODAY).days_left == -(TODAY - date(2025, 10, 31)).days
    assert cycle.status("3.9", date(2025, 10, 31)).days_left == 0
    assert cycle.status("3.9", date(2025, 10, 31)).end_of_life_reached


def test_a_month_only_end_of_life_counts_from_the_first_of_that_month(cycle: ReleaseCycle) -> None:
    status = cycle.status("3.10", TODAY)
    assert status.approximate
    assert status.end_of_life == date(2026, 10, 1)
    assert cycle.status("3.10", date(2026, 10, 1)).status is ReleaseStatus.END_OF_LIFE
    assert not cycle.status("3.9", TODAY).approximate


def test_a_patch_version_is_looked_up_by_its_minor_version(cycle: ReleaseCycle) -> None:
    status = cycle.status("3.12.1", TODAY)
    assert status.version == "3.12"
    assert status.pep == 693
    assert status.first_release == date(2023, 10, 2)


@pytest.mark.parametrize("version", ["3.99", "4.0", "python", "", "3"])
def test_an_unknown_version_has_status_unknown(cycle: ReleaseCycle, version: str) -> None:
    status = cycle.status(version, TODAY)
    assert status.unknown
    assert status.days_left is None
    assert status.end_of_life is None


def test_minor_of_reduces_dotted_versions() -> None:
    assert minor_of("3.12.1") == "3.12"
    assert minor_of("03.09") == "3.9"
    assert minor_of("3") is None
    assert minor_of("3.x") is None


def _write_table(directory: Path, as_of: str, eol_3_12: str = "2028-10-01") -> None:
    data = ReleaseCycle.load().to_data()
    data["as_of"] = as_of
    data["source"] = "refreshed"
    data["versions"]["3.12"]["end_of_life"] = eol_3_12
    (directory / TABLE_NAME).write_text(json.dumps(data), encoding="utf-8")


def test_a_newer_refreshed_table_in_the_data_dir_wins(tmp_path: Path) -> None:
    _write_table(tmp_path, "2027-01-05", eol_3_12="2028-10-20")
    cycle = ReleaseCycle.load(tmp_path)
    assert cycle.as_of == date(2027, 1, 5)
    assert cycle.source == "refreshed"
    assert cycle.status("3.12", TODAY).end_of_life == date(2028, 10, 20)


def test_an_older_refreshed_table_loses_to_the_shipped_one(tmp_path: Path) -> None:
    _write_table(tmp_path, "2025-01-01")
    assert ReleaseCycle.load(tmp_path).as_of == TODAY
    assert ReleaseCycle.load(tmp_path).source != "refreshed"


def test_a_missing_refreshed_table_gives_the_shipped_one(tmp_path: Path) -> None:
    assert ReleaseCycle.load(tmp_path) == ReleaseCycle.load()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"as_of": "2027-01-01"}', "expected an object with a `versions` object"),
        ('{"as_of": "yesterday", "versions": {}}', "is not a date"),
        ('{"as_of": "2027-01-01", "versions": {}}', "lists no versions"),
        ('{"as_of": "2027-01-01", "versions": {"three": {}}}', "not a minor version"),
        ('{"as_of": "2027-01-01", "versions": {"3.12": []}}', "expected an object"),
        (
            '{"as_of": "2027-01-01", "versions": {"3.12": {"first_release": "2023-10-02"}}}',
            "end_of_life: expected a date",
        ),
        (
            '{"as_of": "2027-01-01", "versions": {"3.12": {"status": "retired", '
            '"first_release": "2023-10-02", "end_of_life": "2028-10-01"}}}',
            "unknown status",
        ),
    ],
)
def test_a_damaged_refreshed_table_is_reported_and_ignored(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / TABLE_NAME).write_text(content, encoding="utf-8")
    observer = Recorder()
    cycle = ReleaseCycle.load(tmp_path, observer=observer)
    assert cycle.as_of == TODAY
    assert len(observer.warnings) == 1
    assert message in observer.warnings[0]
    with pytest.raises(ReleaseCycleError, match=message):
        ReleaseCycle.from_json(content, origin="test")


def test_the_table_survives_a_round_trip_through_its_json_form(cycle: ReleaseCycle) -> None:
    again = ReleaseCycle.from_data(json.loads(json.dumps(cycle.to_data())), origin="test")
    assert again == cycle
