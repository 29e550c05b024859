"""The popular-names list: Steward's format, load and save."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pysteward.engine.observer import Observer
from pysteward.engine.typosquat import (
    FILE_NAME,
    PopularNames,
    PopularNamesError,
    load_popular_names,
    save_popular_names,
)


class Recorder(Observer):
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def sample() -> PopularNames:
    return PopularNames.from_counts(
        [("Typing_Extensions", 5), ("boto3", 9), ("typing.extensions", 7), ("attrs", 5)],
        as_of=date(2026, 4, 1),
        source="https://example.invalid/top.json",
    )


def test_names_are_normalised_merged_and_sorted_by_downloads() -> None:
    popular = sample()
    assert popular.names == (("boto3", 9), ("typing-extensions", 7), ("attrs", 5))
    assert len(popular) == 3
    assert popular.rank("Typing_Extensions") == 2
    assert popular.downloads("ATTRS") == 5
    assert popular.rank("absent") is None
    assert popular.downloads("absent") == 0


def test_a_saved_list_loads_back_equal(tmp_path: Path) -> None:
    popular = sample()
    path = save_popular_names(popular, tmp_path / "data")
    assert path == tmp_path / "data" / FILE_NAME
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "as_of": "2026-04-01",
        "source": "https://example.invalid/top.json",
        "names": [["boto3", 9], ["typing-extensions", 7], ["attrs", 5]],
    }
    assert load_popular_names(tmp_path / "data") == popular
    assert list(tmp_path.joinpath("data").iterdir()) == [path]  # no temporary file left behind


def test_no_list_means_none(tmp_path: Path) -> None:
    assert load_popular_names(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "Expecting"),
        ('{"as_of": "2026-04-01"}', "expected an object with a `names` list"),
        ("[]", "expected an object with a `names` list"),
        ('{"as_of": "April", "names": []}', "as_of is not a date"),
        ('{"names": []}', "as_of is not a date"),
        ('{"as_of": "2026-04-01", "names": [["a", 1], ["b"]]}', "names[1]: expected [name, downloads]"),
        ('{"as_of": "2026-04-01", "names": [[" ", 1]]}', "names[0]: expected"),
        ('{"as_of": "2026-04-01", "names": [["a", true]]}', "names[0]: expected"),
        ('{"as_of": "2026-04-01", "names": [["a", -1]]}', "names[0]: expected"),
        ('{"as_of": "2026-04-01", "names": [[1, 1]]}', "names[0]: expected"),
        ('{"as_of": "2026-04-01", "names": ["a"]}', "names[0]: expected"),
    ],
)
def test_a_damaged_list_is_reported_and_ignored(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / FILE_NAME).write_text(text, encoding="utf-8")
    recorder = Recorder()
    assert load_popular_names(tmp_path, observer=recorder) is None
    (warning,) = recorder.warnings
    assert warning.startswith(f"{tmp_path / FILE_NAME}: ignored: ")
    assert problem in warning


def test_a_damaged_list_is_ignored_without_an_observer(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"\xff\xfe")
    assert load_popular_names(tmp_path) is None


def test_a_list_without_source_loads_with_an_empty_one() -> None:
    popular = PopularNames.from_data({"as_of": "2026-04-01", "names": [["a", 1]]}, origin="x")
    assert popular.source == ""
    with pytest.raises(PopularNamesError, match=r"^x: expected an object"):
        PopularNames.from_data(None, origin="x")


def test_an_unwritable_data_directory_is_an_operational_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(PopularNamesError, match="cannot write the popular-names list") as caught:
        save_popular_names(sample(), blocker)
    assert caught.value.hint == "check that the data directory is writable (STEWARD_DATA_DIR)"


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).mkdir()  # the rename onto a directory fails
    with pytest.raises(PopularNamesError, match=f"{FILE_NAME}: cannot write"):
        save_popular_names(sample(), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]


def test_derived_look_ups_are_built_once_and_are_not_part_of_the_value() -> None:
    popular = sample()
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        return len(calls)

    for _ in range(2):
        assert popular.derived("k", build) == 1
    assert popular == sample()
    assert hash(popular) == hash(sample())


def dated(day: date, *names: str) -> PopularNames:
    return PopularNames.from_counts([(name, 1) for name in names], as_of=day, source="x")


def test_the_bundled_list_is_used_without_a_refreshed_one(tmp_path: Path) -> None:
    bundled = save_popular_names(dated(date(2026, 5, 1), "boto3"), tmp_path / "wheel")
    assert load_popular_names(tmp_path / "data", bundled=bundled) == dated(date(2026, 5, 1), "boto3")


@pytest.mark.parametrize(
    ("refreshed_on", "bundled_on", "winner"),
    [
        (date(2026, 6, 1), date(2026, 5, 1), "refreshed"),
        (date(2026, 5, 1), date(2026, 6, 1), "bundled"),
        (date(2026, 5, 1), date(2026, 5, 1), "refreshed"),
    ],
)
def test_the_newer_of_the_refreshed_and_bundled_lists_wins(
    tmp_path: Path, refreshed_on: date, bundled_on: date, winner: str
) -> None:
    save_popular_names(dated(refreshed_on, "refreshed"), tmp_path / "data")
    bundled = save_popular_names(dated(bundled_on, "bundled"), tmp_path / "wheel")
    popular = load_popular_names(tmp_path / "data", bundled=bundled)
    assert popular is not None
    assert popular.rank(winner) == 1


def test_a_damaged_refreshed_list_falls_back_to_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("{", encoding="utf-8")
    bundled = save_popular_names(dated(date(2026, 5, 1), "boto3"), tmp_path / "wheel")
    recorder = Recorder()
    popular = load_popular_names(tmp_path, observer=recorder, bundled=bundled)
    assert popular is not None
    assert popular.rank("boto3") == 1
    assert len(recorder.warnings) == 1
