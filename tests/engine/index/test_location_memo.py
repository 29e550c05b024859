"""The on-disk memo of pip's answer: asked once, asked again when a pip configuration file changes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from pysteward.engine.index import IndexLocation, find_index, location
from pysteward.errors import OperationalError

ANSWER = IndexLocation("https://mirror.example.invalid/simple", "pip configuration (global.index-url)")


class CountingPip:
    """Stands in for pip's configuration loader and counts how often it is asked."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> IndexLocation:
        self.calls += 1
        return ANSWER


@pytest.fixture
def pip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CountingPip:
    """A counting pip, with PIP_CONFIG_FILE at a file of this test (not created yet)."""
    counting = CountingPip()
    monkeypatch.setattr(location, "_ask_pip", counting)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(tmp_path / "pip.conf"))
    return counting


def memo_file() -> Path:
    return Path(os.environ["STEWARD_DATA_DIR"]) / "pip-index-location.json"


def test_it_asks_pip_once_and_remembers_the_answer(pip: CountingPip) -> None:
    assert find_index({}) == ANSWER
    assert pip.calls == 1
    assert memo_file().is_file()
    assert find_index({}) == ANSWER
    assert pip.calls == 1


def test_it_asks_again_when_a_pip_configuration_file_appears_or_changes(pip: CountingPip) -> None:
    config = Path(os.environ["PIP_CONFIG_FILE"])
    find_index({})
    config.write_text("[global]\n", encoding="utf-8")
    find_index({})
    assert pip.calls == 2
    find_index({})
    assert pip.calls == 2
    config.write_text("[global]\ntimeout = 5\n", encoding="utf-8")
    find_index({})
    assert pip.calls == 3
    config.unlink()
    find_index({})
    assert pip.calls == 4


@pytest.mark.parametrize(
    "memo",
    ["{not json", "[1, 2]", '{"url": "https://stale.example.invalid/simple"}', ""],
    ids=["corrupt", "not-an-object", "no-fingerprint", "empty"],
)
def test_a_damaged_memo_is_ignored_and_replaced(pip: CountingPip, memo: str) -> None:
    memo_file().parent.mkdir(parents=True, exist_ok=True)
    memo_file().write_text(memo, encoding="utf-8")
    assert find_index({}) == ANSWER
    assert pip.calls == 1
    assert find_index({}) == ANSWER
    assert pip.calls == 1


def test_a_memo_with_the_right_fingerprint_but_no_url_is_ignored(pip: CountingPip) -> None:
    find_index({})
    memo_file().write_text(
        memo_file().read_text(encoding="utf-8").replace('"url"', '"gone"'), encoding="utf-8"
    )
    assert find_index({}) == ANSWER
    assert pip.calls == 2


def test_an_unwritable_data_directory_still_gives_the_answer(
    pip: CountingPip, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("STEWARD_DATA_DIR", str(blocker / "data"))
    assert find_index({}) == ANSWER
    assert find_index({}) == ANSWER
    assert pip.calls == 2


def test_the_memo_is_checked_like_any_answer(pip: CountingPip) -> None:
    # A memo cannot smuggle in what pip's answer could not: the URL is still checked.
    memo_file().parent.mkdir(parents=True, exist_ok=True)
    fingerprint = location._fingerprint()
    memo = {"fingerprint": fingerprint, "url": "file:///srv/wheels", "source": "pip configuration"}
    memo_file().write_text(json.dumps(memo), encoding="utf-8")
    with pytest.raises(OperationalError, match="is not an http"):
        find_index({})
    assert pip.calls == 0


def test_the_candidates_are_pips_documented_locations(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PIP_CONFIG_FILE", str(tmp_path / "explicit.conf"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", os.pathsep.join([str(tmp_path / "xdg1"), str(tmp_path / "xdg2")]))
    monkeypatch.setenv("APPDATA", str(tmp_path / "appdata"))
    monkeypatch.setenv("PROGRAMDATA", str(tmp_path / "programdata"))
    candidates = location._candidate_files()
    assert tmp_path / "explicit.conf" in candidates
    assert tmp_path / "config-home" / "pip" / "pip.conf" in candidates
    assert tmp_path / "xdg1" / "pip" / "pip.conf" in candidates
    assert tmp_path / "xdg2" / "pip" / "pip.conf" in candidates
    assert tmp_path / "appdata" / "pip" / "pip.ini" in candidates
    assert tmp_path / "programdata" / "pip" / "pip.ini" in candidates
    assert Path(sys.prefix) / "pip.conf" in candidates
    assert Path.home() / ".pip" / "pip.conf" in candidates


def test_without_the_variables_the_candidates_use_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("PIP_CONFIG_FILE", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "APPDATA", "PROGRAMDATA"):
        monkeypatch.delenv(variable, raising=False)
    candidates = location._candidate_files()
    assert Path("/etc/xdg/pip/pip.conf") in candidates
    assert Path.home() / ".config" / "pip" / "pip.conf" in candidates
    assert not any(path.name == "pip.ini" and path.parent.name == "pip" for path in candidates)


def test_real_pip_is_asked_again_after_its_configuration_file_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "pip.conf"
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    config.write_text("[global]\nindex-url = https://a.example.invalid/simple\n", encoding="utf-8")
    assert find_index({}).simple_url == "https://a.example.invalid/simple"
    config.write_text("[global]\nindex-url = https://bb.example.invalid/simple\n", encoding="utf-8")
    assert find_index({}).simple_url == "https://bb.example.invalid/simple"
