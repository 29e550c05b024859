"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from pysteward.engine.typosquat import names
from tests.shared import shared_data_path

pytest_plugins = ["tests.databases"]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The project's shared public data sets (`../shared/data` beside the repository).

    `STEWARD_SHARED_DATA` points elsewhere. Missing data is an error, never a skip.
    """
    path = shared_data_path()
    if not (path / "README.md").exists():
        pytest.fail(f"shared data not found at {path}; set STEWARD_SHARED_DATA")
    return path


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own STEWARD_DATA_DIR so nothing touches the user's real data, and runs
    offline: a test that exercises package-index look-ups points PIP_INDEX_URL at 127.0.0.1 and sets
    STEWARD_OFFLINE=0 itself."""
    monkeypatch.setenv("STEWARD_OFFLINE", "1")
    # Every download has a local default: a test that forgets to point one at its own server fails
    # on a refused connection to 127.0.0.1 instead of reaching a real host.
    for variable in ("STEWARD_OSV_URL", "STEWARD_RELEASE_CYCLE_URL", "STEWARD_POPULAR_URL"):
        monkeypatch.setenv(variable, f"http://127.0.0.1:9/{variable.lower()}")
    monkeypatch.setenv("STEWARD_DATA_DIR", str(tmp_path_factory.mktemp("steward-data")))
    # A checkout where `make dist` has bundled a popular-names list tests as a fresh clone does.
    monkeypatch.setattr(names, "BUNDLED", tmp_path_factory.getbasetemp() / "no-bundled-popular-names.json")
