"""`steward assess` with licenses, maintenance health and Bandit: the flags, the output, the errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.cli.conftest import Steward
from tests.engine.index.helpers import typed
from tests.engine.test_assess_checks import (
    EXPECTED,
    MIT_METADATA,
    SHELL_CALL,
    go_online,
    index_files,
    installed,
    loopback_only,
    project,
    write,
)
from tests.httpserver import FixtureServer, serve


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    loopback_only(monkeypatch)


@pytest.fixture(autouse=True)
def _no_skip_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STEWARD_NO_LICENSES", "STEWARD_NO_HEALTH", "STEWARD_NO_SAST"):
        monkeypatch.delenv(name, raising=False)
    # These tests are about licenses, health and Bandit; typosquats have their own.
    monkeypatch.setenv("STEWARD_NO_TYPOSQUATS", "1")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureServer]:
    with serve(index_files()) as running:
        go_online(monkeypatch, typed(running))
        yield running


def report(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def findings(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for p in data["projects"] for f in p["findings"]]


def checked(data: dict[str, Any]) -> dict[str, set[str]]:
    """License and health rules by package, from the JSON report."""
    found: dict[str, set[str]] = {}
    for finding in findings(data):
        if finding["kind"] in ("license", "health"):
            found.setdefault(str(finding["package"]), set()).add(str(finding["rule"]))
    return found


def bandit(data: dict[str, Any]) -> set[str]:
    return {str(f["rule"]) for f in findings(data) if f["kind"] == "sast"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The three-package project with its own code calling a shell."""
    return project(tmp_path, **{"app.py": SHELL_CALL})


def test_the_json_report_carries_license_health_and_bandit_findings(
    assess: Steward, server: FixtureServer, root: Path
) -> None:
    data = report(assess(root, "--format", "json"))
    assert checked(data) == EXPECTED
    assert "B602" in bandit(data)
    license_finding = next(f for f in findings(data) if f["rule"] == "steward/license-incompatible")
    assert license_finding["license"] == "GPL-3.0-only"
    assert license_finding["license_class"] == "strong-copyleft"
    assert license_finding["locations"] == [{"path": "requirements.txt", "line": 2}]
    stale = next(f for f in findings(data) if f["rule"] == "steward/health-stale")
    assert stale["package"] == "mystery"
    assert "2020-01-15" in str(stale["detail"])
    assert data["warnings"] == []


@pytest.mark.parametrize(
    ("flag", "kept"),
    [
        ("--no-licenses", {p: {r for r in rs if "health" in r} for p, rs in EXPECTED.items()}),
        ("--no-health", {p: {r for r in rs if "license" in r} for p, rs in EXPECTED.items()}),
    ],
)
def test_no_licenses_and_no_health_remove_their_findings(
    assess: Steward, server: FixtureServer, root: Path, flag: str, kept: dict[str, set[str]]
) -> None:
    data = report(assess(root, "--format", "json", flag))
    assert checked(data) == kept
    assert "B602" in bandit(data)


def test_no_sast_removes_bandit_findings_and_all_three_flags_skip_the_index(
    assess: Steward, server: FixtureServer, root: Path
) -> None:
    data = report(assess(root, "--format", "json", "--no-sast"))
    assert bandit(data) == set()
    assert checked(data) == EXPECTED
    requests = len(server.requests)
    none = report(assess(root, "--format", "json", "--no-sast", "--no-licenses", "--no-health"))
    assert findings(none) == [f for f in findings(none) if f["kind"] not in ("license", "health", "sast")]
    assert len(server.requests) == requests


def test_offline_by_flag_or_variable_reads_only_the_cache(
    assess: Steward, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = project(tmp_path)
    monkeypatch.setenv("STEWARD_OFFLINE", "0")
    empty = report(assess(root, "--format", "json", "--offline"))
    assert checked(empty) == {}
    assert empty["warnings"] == [
        "3 packages are not in the package-index cache (offline): licenses and health not checked "
        "for calm-lib, gpl-thing, mystery"
    ]
    with serve(index_files()) as running:
        go_online(monkeypatch, typed(running))
        assert checked(report(assess(root, "--format", "json"))) == EXPECTED
    monkeypatch.setenv("STEWARD_OFFLINE", "1")
    cached = report(assess(root, "--format", "json"))
    assert checked(cached) == EXPECTED
    assert cached["warnings"] == []


def test_a_broken_index_is_a_notice_and_does_not_change_the_exit_code(
    assess: Steward, server: FixtureServer, root: Path
) -> None:
    for name in ("calm-lib", "gpl-thing", "mystery"):
        server.status_overrides[f"/simple/{name}/"] = 500
    result = assess(root, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert checked(data) == {}
    (notice,) = data["warnings"]
    assert notice.startswith("the package index could not be read for 3 package(s)")
    assert notice.endswith("licenses and health not checked for calm-lib, gpl-thing, mystery")


@pytest.mark.parametrize(
    ("config", "line", "message"),
    [
        ('fail-on = "never"\n\n[licenses]\nallowed = ["MIT"]\n', 3, "licenses: allowed: unknown setting"),
        ('[licenses]\ndeny = "MIT"\n', 1, "licenses: deny: must be a list of SPDX ids or classes"),
        ('licenses = "MIT"\n', 1, "licenses: must be a table ([tool.steward.licenses])"),
        ('[health]\nstale-months = "soon"\n', 1, "health: stale-months must be a whole number"),
        ("[health]\nmonths = 3\n", 1, "health: unknown key 'months'"),
    ],
)
def test_a_bad_licenses_or_health_table_is_one_error_with_exit_code_2(
    assess: Steward, tmp_path: Path, config: str, line: int, message: str
) -> None:
    root = write(tmp_path, {"requirements.txt": "calm-lib==1.0.0\n", "steward.toml": config})
    result = assess(root)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {root / 'steward.toml'}:{line}: {message}")


def test_a_licenses_table_in_pyproject_reaches_the_policy(
    assess: Steward, server: FixtureServer, tmp_path: Path
) -> None:
    pyproject = '[project]\nname = "demo"\nversion = "1.0"\n\n[tool.steward.licenses]\ndeny = ["MIT"]\n'
    root = write(tmp_path, {"requirements.txt": "calm-lib==1.0.0\n", "pyproject.toml": pyproject})
    data = report(assess(root, "--format", "json", "--no-health"))
    assert checked(data) == {"calm-lib": {"steward/license-denied"}}


def test_an_installed_environment_is_judged_by_its_metadata_without_the_index(
    assess: Steward, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    write(venv, {"pyvenv.cfg": "home = /usr/bin\nversion = 3.12.7\n"})
    installed(tmp_path, MIT_METADATA)
    result = assess("--env", venv, "--format", "json", "--offline")
    data = report(result)
    assert checked(data) == {}
    assert [d["name"] for d in data["dependencies"]] == ["calm-lib"]
    assert data["warnings"] == [
        "1 package is not in the package-index cache (offline): licenses and health not checked for calm-lib"
    ]


def test_installed_metadata_with_a_denied_license_is_a_finding(assess: Steward, tmp_path: Path) -> None:
    site = installed(tmp_path, MIT_METADATA)
    config = write(tmp_path / "config", {"steward.toml": '[licenses]\ndeny = ["permissive"]\n'})
    data = report(assess("--env", site, "--config", config / "steward.toml", "--format", "json"))
    assert checked(data) == {"calm-lib": {"steward/license-denied"}}
