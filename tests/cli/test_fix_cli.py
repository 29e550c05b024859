"""`steward fix`: dry-run diffs, --write, lockfile commands, the JSON plan and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from pysteward.cli.fix import fix_command
from tests.cli.conftest import ON
from tests.engine.fixes.records import build_database

INDEX = "https://index.invalid/simple"
HASHED = "# top\nalpha==1.1.0 \\\n    --hash=sha256:aaa\n    # via -r requirements.in\nrequests==2.0\n"


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """Steward (the fix command only)."""

    app.command("fix")(fix_command)
    return app


APP = _app()


@pytest.fixture(autouse=True)
def _no_fix_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STEWARD_FIX_WRITE", "STEWARD_FIX_PLAN", "STEWARD_REQUIREMENT", "STEWARD_EXCLUDE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory.mktemp("fix-cli-db"))


def fix(database: Path, *args: object) -> Result:
    argv = ["fix", *(str(a) for a in args), "--database", str(database), "--date", ON]
    return CliRunner().invoke(APP, argv, catch_exceptions=False)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def uv_lock(name: str, version: str) -> str:
    return (
        f'version = 1\nrequires-python = ">=3.11"\n\n[[package]]\nname = "{name}"\nversion = "{version}"\n'
        f'source = {{ registry = "{INDEX}" }}\n'
    )


def test_a_dry_run_shows_the_diff_and_the_plan_writes_nothing_and_exits_1(
    tmp_path: Path, database: Path
) -> None:
    write(tmp_path, {"requirements.txt": HASHED})
    result = fix(database, tmp_path)
    assert result.exit_code == 1
    assert "-alpha==1.1.0 \\\n-    --hash=sha256:aaa\n+alpha==1.2.0\n" in result.stdout
    assert "  alpha 1.1.0 -> 1.2.0\n    clears PYSEC-2099-101\n" in result.stdout
    assert "hashes removed for alpha" in result.stderr
    assert (tmp_path / "requirements.txt").read_text() == HASHED


def test_write_rewrites_the_file_in_place_and_exits_0(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": HASHED})
    result = fix(database, tmp_path, "--write")
    assert result.exit_code == 0, result.output
    expected = "# top\nalpha==1.2.0\n    # via -r requirements.in\nrequests==2.0\n"
    assert (tmp_path / "requirements.txt").read_text() == expected
    assert "steward: rewrote 1 file(s)" in result.stderr
    assert "pip-compile --generate-hashes" in result.stderr


def test_an_included_file_is_rewritten_in_its_own_file(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "-r base.txt\nrequests==2.0\n", "base.txt": "beta==1.4\n"})
    result = fix(database, "-r", tmp_path / "requirements.txt", "--write")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "base.txt").read_text() == "beta==1.6\n"
    assert (tmp_path / "requirements.txt").read_text() == "-r base.txt\nrequests==2.0\n"


def test_nothing_to_fix_exits_0(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "alpha==1.2.0\n"})
    result = fix(database, tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No vulnerable pins: nothing to fix.\n")


def test_a_package_without_a_safe_version_is_reported_but_does_not_fail(
    tmp_path: Path, database: Path
) -> None:
    write(tmp_path, {"requirements.txt": "delta==1.0\n"})
    result = fix(database, tmp_path)
    assert result.exit_code == 0
    assert "No safe version known:\n  delta 1.0: PYSEC-2099-105\n" in result.stdout
    assert "warning: delta 1.0: no safe version known (PYSEC-2099-105)" in result.stderr


def test_a_major_version_jump_is_warned_about(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "gamma==2.9\n"})
    result = fix(database, tmp_path)
    assert "gamma 2.9 -> 3.0.0  [crosses a major version]" in result.stdout
    assert "warning: gamma 2.9 -> 3.0.0 crosses a major version" in result.stderr


def test_lockfiles_get_commands_and_write_leaves_them_pending(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"uv.lock": uv_lock("alpha", "1.1.0")})
    result = fix(database, tmp_path, "--write")
    assert result.exit_code == 1
    assert "uv.lock:5: run `uv lock --upgrade-package alpha==1.2.0` in ." in result.stdout
    assert "steward: rewrote 0 file(s)" in result.stderr
    assert "1 change(s) still need a command or a hand edit" in result.stderr


def test_the_plan_file_holds_the_json_patch_plan(tmp_path: Path, database: Path) -> None:
    project = write(tmp_path / "shop", {"requirements.txt": "beta==1.4\n", "uv.lock": uv_lock("beta", "1.4")})
    plan = tmp_path / "plan.json"
    result = fix(database, project, "--plan", plan)
    assert result.exit_code == 1
    assert f"steward: plan written to {plan}" in result.stderr
    data = json.loads(plan.read_text())
    assert (data["schema_version"], data["project"], data["unfixable"]) == ("1.0", "shop", [])
    [upgrade] = data["upgrades"]
    assert (upgrade["name"], upgrade["from"], upgrade["to"], upgrade["clears"]) == (
        "beta",
        "1.4",
        "1.6",
        ["PYSEC-2099-102"],
    )
    assert sorted((f["path"], f["action"], f.get("command")) for f in upgrade["files"]) == [
        ("requirements.txt", "rewrite", None),
        ("uv.lock", "command", "uv lock --upgrade-package beta==1.6"),
    ]


def test_a_pin_it_cannot_find_is_left_to_the_user_with_a_notice(tmp_path: Path, database: Path) -> None:
    files = {"requirements.txt": "-c constraints.txt\nalpha>=1\n", "constraints.txt": "alpha==1.1.0\n"}
    write(tmp_path, files)
    result = fix(database, "-r", tmp_path / "requirements.txt", "--write")
    assert result.exit_code == 1
    assert "---" not in result.stdout
    assert "requirements.txt:2: no alpha==1.1.0 pin on this line" in result.stderr
    assert "pin alpha==1.2.0 by hand" in result.stderr
    assert (tmp_path / "requirements.txt").read_text() == files["requirements.txt"]


def test_a_file_compiled_by_pip_compile_gets_a_notice_to_upgrade_its_input(
    tmp_path: Path, database: Path
) -> None:
    text = "# This file is autogenerated by pip-compile\nbeta==1.4\n"
    write(tmp_path, {"requirements.txt": text})
    result = fix(database, tmp_path, "--write")
    assert result.exit_code == 0
    assert "requirements.txt is generated by pip-compile; upgrade its input too" in result.stderr
    assert (tmp_path / "requirements.txt").read_text() == text.replace("1.4", "1.6")


def test_a_plan_that_cannot_be_written_is_an_input_error(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "alpha==1.1.0\n"})
    result = fix(database, tmp_path, "--plan", tmp_path / "missing" / "plan.json")
    assert result.exit_code == 2
    assert "cannot write the plan: No such file or directory" in result.stderr


def test_a_missing_database_is_an_operational_error(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "alpha==1.1.0\n"})
    result = fix(tmp_path / "none.sqlite3", tmp_path)
    assert result.exit_code == 3
    assert "no advisory database at" in result.stderr


def test_bad_input_exits_2_without_a_traceback(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "alpha==1.1.0\nbroken>=2.0,<\n"})
    result = fix(database, tmp_path)
    assert result.exit_code == 2
    assert "requirements.txt:2: invalid requirement" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_fixes_the_current_directory_by_default(
    tmp_path: Path, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"requirements.txt": "alpha==1.1.0\n"})
    monkeypatch.chdir(tmp_path)
    result = fix(database, "--exclude", "build/**")
    assert result.exit_code == 1
    assert "+alpha==1.2.0" in result.stdout
