"""Fixtures for the command-line tests: a small advisory database and a runner for `steward`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer.testing
from typer.testing import CliRunner, Result

from pysteward.cli.app import app
from pysteward.engine.advisories import import_advisories

OSV_RECORDS = Path(__file__).resolve().parents[1] / "engine" / "assets" / "osv"
"""Hand-written OSV records shared with the engine tests."""
ASSETS = Path(__file__).resolve().parent / "assets"
ON = "2026-11-22"
"""The day every assessment is judged on, so end-of-life findings do not drift with the clock."""

_SETTINGS = (
    "STEWARD_FAIL_ON",
    "STEWARD_FORMAT",
    "STEWARD_OUTPUT",
    "STEWARD_PYTHON_VERSIONS",
    "STEWARD_EOL_WARNING_DAYS",
    "STEWARD_DATE",
    "STEWARD_DATABASE",
    "STEWARD_CONFIG",
    "STEWARD_VERBOSE",
)
"""Download URLs are not cleared: tests/conftest.py points them at a closed port of 127.0.0.1."""

Steward = Callable[..., Result]


@pytest.fixture(autouse=True, scope="session")
def _command_tree_built_once() -> Iterator[None]:
    """Typer builds the click command tree from every command function on each invoke (about 0.13 s
    for all of `steward`'s commands, several times per test); the app does not change while the
    tests run, so each app's tree is built once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", functools.cache(vars(typer.testing)["_get_command"]))
        yield


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings from the developer's shell must not change what the tests see."""
    for name in _SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def advisory_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An advisory database built once from `tests/engine/assets/osv` (tests only read it)."""
    path = tmp_path_factory.mktemp("advisories") / "advisories.sqlite3"
    import_advisories(OSV_RECORDS, path)
    return path


@pytest.fixture
def steward() -> Steward:
    """Run `steward ARGS…` in-process; stdout and stderr are kept apart."""

    def run(*args: object, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)

    return run


@pytest.fixture
def assess(steward: Steward, advisory_db: Path) -> Steward:
    """Run `steward assess ARGS…` against the small database, judged on 2026-11-22."""

    def run(*args: object, env: dict[str, str] | None = None) -> Result:
        extra: list[object] = []
        if "--database" not in args:
            extra += ["--database", advisory_db]
        if "--date" not in args:
            extra += ["--date", ON]
        return steward("assess", *args, *extra, env=env)

    return run
