"""`steward assess`: exit codes, one-line errors, configuration precedence and report formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import Result

from pysteward.cli import _errors
from pysteward.engine.inventory import _files
from tests.cli.conftest import ASSETS, ON, Steward

BAD = ASSETS / "bad"
STEWARD = Path(sys.executable).parent / "steward"
PYPROJECT = '[project]\nname = "demo"\nversion = "1.0"\nrequires-python = ">=3.12"\n'


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def copy_case(case: str, root: Path) -> Path:
    """Copy one failure-mode asset; `*.broken` files get their real name only in the copy, since
    tools such as ruff read every pyproject.toml in the repository."""
    target = root / case
    shutil.copytree(BAD / case, target)
    for broken in target.glob("*.broken"):
        broken.rename(broken.with_suffix(""))
    return target


def one_error(result: Result) -> str:
    """The single `error:` line of a failed run, checking nothing else was printed."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


@pytest.mark.parametrize(
    ("case", "file", "line", "what"),
    [
        ("truncated-pyproject", "pyproject.toml", 6, "invalid TOML: "),
        ("truncated-uv-lock", "uv.lock", 8, "invalid TOML: unclosed inline table"),
        ("invalid-json-pipfile-lock", "Pipfile.lock", 4, "invalid JSON: "),
        ("broken-requirement", "requirements.txt", 3, "invalid requirement 'requests>=2.0,<': "),
        ("missing-include", "requirements.txt", 2, "requirements file 'base.txt' not found"),
        ("unknown-config-key", "steward.toml", 2, "fail_on: unknown setting"),
        ("bad-fail-on-config", "steward.toml", 2, "fail-on: must be one of never, vulnerability,"),
        ("ignore-without-reason", "steward.toml", 2, "ignore: ignore[0] (PYSEC-2099-4): needs a reason"),
    ],
)
def test_bad_input_is_one_line_naming_the_file_and_line(  # noqa: PLR0917 (parametrized)
    assess: Steward, tmp_path: Path, case: str, file: str, line: int, what: str
) -> None:
    project = copy_case(case, tmp_path)
    message = one_error(assess(project))
    assert message.startswith(f"{project / file}:{line}: {what}")


def test_a_binary_file_is_one_line(assess: Steward, tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00")
    assert one_error(assess(path)) == f"{path}: not a text file (it contains NUL bytes)"


def test_a_huge_file_is_refused_in_one_line(
    assess: Steward, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_files, "MAX_BYTES", 1_048_576)
    path = tmp_path / "uv.lock"
    path.write_bytes(b"# padding\n" * 300_000)
    assert one_error(assess(tmp_path)) == f"{path}: file is too large (3 MiB; the limit is 1 MiB)"


def test_a_nonexistent_path_is_one_line(assess: Steward, tmp_path: Path) -> None:
    assert one_error(assess(tmp_path / "nope")) == f"{tmp_path / 'nope'}: no such file or directory"


def test_an_unknown_file_given_directly_is_named(assess: Steward, tmp_path: Path) -> None:
    path = write(tmp_path, {"notes.md": "# hi\n"}) / "notes.md"
    assert one_error(assess(path)).startswith(f"{path}: not a manifest, lockfile or requirements file")


def test_a_directory_without_manifests_is_one_line(assess: Steward, tmp_path: Path) -> None:
    assert one_error(assess(tmp_path)) == f"{tmp_path}: no manifest, lockfile or requirements file found"


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--date", "22/11/2026", "'22/11/2026' is not a date such as 2026-11-22"),
        ("--fail-on", "severe", "'severe' is not one of: never, vulnerability"),
        ("--format", "xml", "xml"),
        ("--eol-warning-days", "-1", "-1"),
    ],
)
def test_a_bad_option_is_a_usage_error(
    assess: Steward, tmp_path: Path, option: str, value: str, says: str
) -> None:
    write(tmp_path, {"requirements.txt": "six==1.17.0\n"})
    result = assess(tmp_path, option, value)
    assert result.exit_code == 2
    assert says in " ".join(result.stderr.split()).replace("│ ", "")
    assert "Traceback" not in result.output


def test_a_bad_python_option_is_one_line(assess: Steward, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.17.0\n"})
    assert one_error(assess(tmp_path, "--python", "3")) == "--python '3': expected a version such as 3.12"


def test_every_bad_file_is_reported_one_line_each(assess: Steward, tmp_path: Path) -> None:
    cases = ["truncated-pyproject", "truncated-uv-lock", "invalid-json-pipfile-lock", "broken-requirement"]
    for case in cases:
        copy_case(case, tmp_path)
    result = assess(tmp_path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 4
    assert sorted(Path(line.split(":")[1].strip()).parent.name for line in lines) == sorted(cases)
    assert "Traceback" not in result.output


def test_every_bad_line_of_one_file_is_one_line_each(assess: Steward, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==\nok==1.0\ndjango>=<\n"})
    result = assess(tmp_path)
    assert result.exit_code == 2
    path = tmp_path / "requirements.txt"
    assert [line.split(": ")[1] for line in result.stderr.splitlines()] == [f"{path}:1", f"{path}:3"]


def test_more_problems_than_fit_are_counted(assess: Steward, tmp_path: Path) -> None:
    for index in range(_errors.MAX_LINES + 3):
        write(tmp_path, {f"p{index:02}/requirements.txt": "django==\n"})
    lines = assess(tmp_path).stderr.splitlines()
    assert len(lines) == _errors.MAX_LINES + 1
    assert lines[-1] == "error: … and 3 more problems"


def test_a_clean_project_exits_0_and_a_vulnerable_one_1(assess: Steward, tmp_path: Path) -> None:
    clean = write(tmp_path / "clean", {"requirements.txt": "six==1.17.0\n", "pyproject.toml": PYPROJECT})
    vulnerable = write(tmp_path / "vulnerable", {"requirements.txt": "six==1.16.0\n"})
    ok = assess(clean)
    assert ok.exit_code == 0, ok.output
    assert ok.stderr == ""
    assert ok.stdout.endswith("1 project, 1 dependency: no findings\n")
    failing = assess(vulnerable)
    assert failing.exit_code == 1
    assert "PYSEC-2099-4" in failing.stdout


def test_no_advisory_database_exits_3_naming_the_update_command(steward: Steward, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.16.0\n"})
    result = steward("assess", tmp_path, "--date", ON)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "steward db update" in result.stderr
    assert "Traceback" not in result.stderr


def test_verbose_adds_the_traceback_of_an_operational_error(steward: Steward, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.16.0\n"})
    result = steward("assess", tmp_path, "-v", "--database", tmp_path / "none.sqlite3")
    assert result.exit_code == 3
    assert "Traceback" in result.stderr


def test_an_interrupt_exits_130_with_one_line(
    assess: Steward, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr("pysteward.engine.assess.assess", interrupted)
    write(tmp_path, {"requirements.txt": "six==1.16.0\n"})
    result = assess(tmp_path)
    assert (result.exit_code, result.stderr) == (130, "error: interrupted\n")


def test_the_report_can_go_to_a_file_with_the_summary_on_stderr(assess: Steward, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.16.0\n"})
    report = tmp_path / "report.json"
    result = assess(tmp_path, "-f", "json", "-o", report)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"steward: 1 findings, 1 at or above --fail-on vulnerability; report written to {report}\n"
    )
    assert json.loads(report.read_text(encoding="utf-8"))["dependencies"][0]["name"] == "six"


def test_an_unwritable_output_is_one_line(assess: Steward, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.17.0\n"})
    target = tmp_path / "missing-dir" / "report.txt"
    assert one_error(assess(tmp_path, "-o", target)).startswith(f"{target}: cannot write the report: ")


def test_json_lists_every_dependency_with_pip_audit_keys(assess: Steward, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements.txt": "django==4.2.11\nsix==1.17.0\nrequests>=2\nlib @ https://files.invalid/lib-1.0.tar.gz\n",
        },
    )
    result = assess(tmp_path, "--format", "json")
    assert result.stderr.startswith("steward: 3 findings, 1 at or above --fail-on vulnerability; report\n")
    document = json.loads(result.stdout)
    rows = {row["name"]: row for row in document["dependencies"]}
    assert sorted(rows) == ["django", "lib", "requests", "six"]
    assert all({"name", "version", "vulns"} <= set(row) for row in rows.values())
    [vuln] = rows["django"]["vulns"]
    assert (vuln["id"], vuln["fix_versions"]) == ("PYSEC-2099-1", ["4.2.12"])
    assert sorted(vuln["aliases"]) == ["CVE-2099-1001", "GHSA-dj11-aaaa-0001"]
    assert rows["six"]["vulns"] == []
    assert "skip_reason" in rows["requests"] and "skip_reason" in rows["lib"]


def test_sarif_puts_each_result_at_its_manifest_line(assess: Steward, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.17.0\n\ndjango==4.2.11\n"})
    result = assess(tmp_path, "--format", "sarif")
    [run] = json.loads(result.stdout)["runs"]
    [finding] = [r for r in run["results"] if r["ruleId"] == "PYSEC-2099-1"]
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "requirements.txt"
    assert location["region"]["startLine"] == 3


def test_markdown_names_the_vulnerability(assess: Steward, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "django==4.2.11\n"})
    result = assess(tmp_path, "--format", "markdown")
    assert result.stdout.startswith("#")
    assert "PYSEC-2099-1" in result.stdout
    assert result.stderr.startswith("steward: 1 findings")


def test_the_table_is_coloured_only_on_request(assess: Steward, tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "django==4.2.11\n"})
    assert "\x1b[" not in assess(tmp_path).stdout
    assert "\x1b[" in assess(tmp_path, "--color").stdout


# --- configuration and precedence -------------------------------------------------------------


def test_fail_on_comes_from_the_cli_then_the_environment_then_the_file_then_the_default(
    steward: Steward, assess: Steward, tmp_path: Path, advisory_db: Path
) -> None:
    project = write(tmp_path, {"requirements.txt": "six==1.16.0\n"})  # one LOW vulnerability
    assert assess(project).exit_code == 1
    write(project, {"steward.toml": 'fail-on = "never"\n'})
    assert assess(project).exit_code == 0
    assert assess(project, env={"STEWARD_FAIL_ON": "low"}).exit_code == 1
    assert assess(project, "--fail-on", "high", env={"STEWARD_FAIL_ON": "low"}).exit_code == 0


def test_a_tool_steward_table_in_pyproject_is_used(assess: Steward, tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "requirements.txt": "six==1.16.0\n",
            "pyproject.toml": PYPROJECT + '\n[tool.steward]\nfail-on = "medium"\n',
        },
    )
    assert assess(project).exit_code == 0
    assert assess(project, "--fail-on", "low").exit_code == 1


def test_steward_config_names_a_configuration_file_elsewhere(assess: Steward, tmp_path: Path) -> None:
    project = write(
        tmp_path / "p", {"requirements.txt": "six==1.16.0\n", "steward.toml": 'fail-on = "low"\n'}
    )
    other = write(tmp_path, {"ci.toml": 'fail-on = "never"\n'}) / "ci.toml"
    assert assess(project).exit_code == 1
    assert assess(project, env={"STEWARD_CONFIG": str(other)}).exit_code == 0
    assert assess(project, "--config", other).exit_code == 0


def test_format_and_output_come_from_the_environment_unless_given(assess: Steward, tmp_path: Path) -> None:
    project = write(tmp_path, {"requirements.txt": "six==1.17.0\n"})
    assert json.loads(assess(project, env={"STEWARD_FORMAT": "json"}).stdout)["schema_version"]
    assert assess(project, "-f", "markdown", env={"STEWARD_FORMAT": "json"}).stdout.startswith("#")
    report = tmp_path / "out.sarif"
    result = assess(project, env={"STEWARD_FORMAT": "sarif", "STEWARD_OUTPUT": str(report)})
    assert result.stdout == ""
    assert json.loads(report.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_python_versions_come_from_the_environment_and_the_option_wins(
    assess: Steward, tmp_path: Path
) -> None:
    project = write(
        tmp_path, {"requirements.txt": "six==1.17.0\n", "steward.toml": 'python-versions = ["3.11"]\n'}
    )

    def targets(result: Result) -> set[str]:
        return {t.split("/")[0] for t in json.loads(result.stdout)["projects"][0]["targets"]}

    assert targets(assess(project, "-f", "json")) == {"3.11"}
    assert targets(assess(project, "-f", "json", env={"STEWARD_PYTHON_VERSIONS": "3.12 3.13"})) == {
        "3.12",
        "3.13",
    }
    result = assess(project, "-f", "json", "--python", "3.14", env={"STEWARD_PYTHON_VERSIONS": "3.12"})
    assert targets(result) == {"3.14"}


def test_eol_warning_days_come_from_the_option_then_the_environment_then_the_file(
    assess: Steward, tmp_path: Path
) -> None:
    project = write(
        tmp_path,
        {
            "requirements.txt": "six==1.17.0\n",
            "Dockerfile": "FROM python:3.11-slim\n",
            "steward.toml": "eol-warning-days = 400\n",
        },
    )

    def rules(result: Result) -> list[str]:
        return [f["rule"] for f in json.loads(result.stdout)["projects"][0]["findings"]]

    assert rules(assess(project, "-f", "json")) == ["steward/runtime-eol-soon"]
    assert rules(assess(project, "-f", "json", env={"STEWARD_EOL_WARNING_DAYS": "30"})) == []
    assert rules(
        assess(project, "-f", "json", "--eol-warning-days", "400", env={"STEWARD_EOL_WARNING_DAYS": "30"})
    ) == ["steward/runtime-eol-soon"]


def test_date_and_database_come_from_the_environment(
    steward: Steward, tmp_path: Path, advisory_db: Path
) -> None:
    project = write(
        tmp_path,
        {
            "requirements.txt": "six==1.16.0\n",
            "steward.toml": '[[ignore]]\nid = "PYSEC-2099-4"\n'
            'reason = "fixed upstream soon"\nuntil = 2026-06-30\n',
        },
    )
    env = {"STEWARD_DATABASE": str(advisory_db), "STEWARD_DATE": "2026-06-01"}
    before = steward("assess", project, "-f", "json", env=env)
    assert before.exit_code == 0, before.output
    [ignored] = json.loads(before.stdout)["projects"][0]["ignored"]
    assert (ignored["rule_id"], ignored["reason"]) == ("PYSEC-2099-4", "fixed upstream soon")
    after = steward("assess", project, "-f", "json", "--date", ON, env=env)
    assert after.exit_code == 1
    findings = json.loads(after.stdout)["projects"][0]["findings"]
    assert {f["kind"] for f in findings} == {"vulnerability", "expired-ignore"}


def test_an_ignore_by_cve_alias_hides_the_finding_and_an_unused_one_warns(
    assess: Steward, tmp_path: Path
) -> None:
    project = write(
        tmp_path,
        {
            "requirements.txt": "django==4.2.11\n",
            "steward.toml": '[[ignore]]\nid = "CVE-2099-1001"\nreason = "admin only"\n\n'
            '[[ignore]]\nid = "GHSA-none-none-none"\nreason = "stale"\n',
        },
    )
    result = assess(project, "-f", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["projects"][0]["findings"] == []
    assert document["projects"][0]["ignored"][0]["finding"]["rule"] == "PYSEC-2099-1"
    assert document["warnings"] == [
        f"ignore GHSA-none-none-none matched no finding; remove it from {project / 'steward.toml'}",
        "1 package is not in the package-index cache (offline): licenses and health not checked for django",
        "typosquats not checked: no list of popular package names yet; `steward db update` downloads one",
    ]


# --- fail-on semantics ------------------------------------------------------------------------

SEVERITY_PINS = {
    "malicious": "evil-pkg==1.0",
    "critical": "pyyaml==6.0.1",
    "high": "django==4.2.11",
    "medium": "black==24.1b1",
    "low": "six==1.16.0",
    "unknown": "pluggy==2.2",
    "info": "zope.interface==6.4.post2",
}
ORDER = ["info", "unknown", "low", "medium", "high", "critical", "malicious"]


@pytest.mark.parametrize("threshold", ["never", "vulnerability", *ORDER])
def test_fail_on_fails_at_or_above_its_threshold(assess: Steward, tmp_path: Path, threshold: str) -> None:
    for severity, pin in SEVERITY_PINS.items():
        write(tmp_path / severity, {"requirements.txt": pin + "\n"})
    failing = set()
    for severity in SEVERITY_PINS:
        result = assess(tmp_path / severity, "--fail-on", threshold, "-f", "json")
        assert result.exit_code in (0, 1)
        [finding] = json.loads(result.stdout)["projects"][0]["findings"]
        assert finding["severity"] == severity
        if result.exit_code == 1:
            failing.add(severity)
    if threshold == "never":
        assert failing == set()
    elif threshold == "vulnerability":
        assert failing == set(SEVERITY_PINS)
    else:
        assert failing == set(ORDER[ORDER.index(threshold) :])


def test_the_default_threshold_ignores_findings_that_are_not_vulnerabilities(
    assess: Steward, tmp_path: Path
) -> None:
    write(tmp_path, {"requirements.txt": "requests\n", "Dockerfile": "FROM python:3.8\n"})
    assert assess(tmp_path).exit_code == 0
    assert assess(tmp_path, "--fail-on", "high").exit_code == 1


# --- what gets assessed -----------------------------------------------------------------------


def test_unusual_names_given_directly_are_sniffed(assess: Steward, tmp_path: Path, shared_data: Path) -> None:
    lock = tmp_path / "prod.lock"
    shutil.copyfile(shared_data / "real-world" / "saleor-saleor-uv.lock", lock)
    deps = write(tmp_path, {"deps.txt": "django==4.2.11\n"}) / "deps.txt"
    result = assess(lock, deps, "-f", "json", "--fail-on", "never")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    kinds = {m["path"]: m["kind"] for m in document["projects"][0]["manifests"]}
    assert kinds == {"prod.lock": "uv.lock", "deps.txt": "requirements"}
    assert len(document["dependencies"]) > 200


def test_a_monorepo_gives_one_project_per_directory(assess: Steward, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "api/requirements.txt": "django==4.2.11\n",
            "worker/requirements.txt": "six==1.17.0\n",
            "api/.venv/lib/requirements.txt": "pyyaml==6.0.1\n",
            "node_modules/x/requirements.txt": "pyyaml==6.0.1\n",
        },
    )
    document = json.loads(assess(tmp_path, "-f", "json").stdout)
    assert [p["path"] for p in document["projects"]] == ["api", "worker"]
    assert {row["name"] for row in document["dependencies"]} == {"django", "six"}


def test_requirement_options_and_environments_are_assessed(assess: Steward, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    dist = venv / "lib" / "python3.9" / "site-packages" / "PyYAML-6.0.1.dist-info"
    dist.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.9.18\n", encoding="utf-8")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0.1\n", encoding="utf-8")
    reqs = write(tmp_path, {"ci/constraints.txt": "six==1.16.0\n"}) / "ci" / "constraints.txt"
    result = assess("-r", reqs, "--env", venv, "-f", "json", "--fail-on", "critical")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    rules = {f["rule"] for p in document["projects"] for f in p["findings"]}
    # The installed METADATA names no license: Steward looked, and says so.
    assert rules == {"PYSEC-2099-4", "PYSEC-2099-2", "steward/runtime-eol", "steward/license-unknown"}


def test_the_current_directory_is_the_default_path(
    assess: Steward, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"requirements.txt": "django==4.2.11\n"})
    monkeypatch.chdir(tmp_path)
    assert assess().exit_code == 1


# --- the real executable ----------------------------------------------------------------------


def run_steward(
    *args: object, cwd: Path | None = None, module: bool = False
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pysteward"] if module else [str(STEWARD)]
    return subprocess.run(
        [*command, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=60, check=False
    )


def test_the_executable_exits_with_the_documented_codes(tmp_path: Path, advisory_db: Path) -> None:
    clean = write(tmp_path / "clean", {"requirements.txt": "six==1.17.0\n"})
    vulnerable = write(tmp_path / "vulnerable", {"requirements.txt": "six==1.16.0\n"})
    broken = write(tmp_path / "broken", {"requirements.txt": "six==1.16.0\nsix=>1\n"})
    common = ["--database", advisory_db, "--date", ON, "-f", "json"]

    ok = run_steward("assess", clean, *common)
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["summary"]
    assert ok.stderr.startswith("steward: 0 findings")

    found = run_steward("assess", vulnerable, *common)
    assert found.returncode == 1
    assert "PYSEC-2099-4" in found.stdout

    bad = run_steward("assess", broken, *common)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith(f"error: {broken / 'requirements.txt'}:2: invalid requirement")
    assert len(bad.stderr.splitlines()) == 1

    missing = run_steward("assess", clean, "--database", tmp_path / "none.sqlite3", "--date", ON)
    assert missing.returncode == 3
    assert "steward db update" in missing.stderr
    assert "Traceback" not in missing.stderr + bad.stderr


def test_the_module_runs_and_writes_the_report_to_a_file(tmp_path: Path, advisory_db: Path) -> None:
    write(tmp_path, {"requirements.txt": "django==4.2.11\n"})
    report = tmp_path / "report.md"
    done = run_steward(
        "assess",
        ".",
        "--database",
        advisory_db,
        "--date",
        ON,
        "-f",
        "markdown",
        "-o",
        report,
        cwd=tmp_path,
        module=True,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "report written to" in done.stderr
    assert "PYSEC-2099-1" in report.read_text(encoding="utf-8")
    assert run_steward("--version", module=True).stdout.startswith("steward ")


def test_the_entry_points_run_the_app_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib
    import runpy

    from pysteward import __version__
    from pysteward.cli import main

    monkeypatch.setattr(sys, "argv", ["steward", "--version"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0
    with pytest.raises(SystemExit):
        runpy.run_module("pysteward", run_name="__main__")
    assert capsys.readouterr().out == f"steward {__version__}\n" * 2
    importlib.import_module("pysteward.__main__")  # imported, not run: prints nothing
    assert capsys.readouterr().out == ""


def test_the_version_and_help_are_printed(steward: Steward) -> None:
    from pysteward import __version__

    assert steward("--version").stdout == f"steward {__version__}\n"
    assert "assess" in steward("--help").stdout
    assert steward().exit_code == 2


def test_excluded_fixtures_do_not_stop_the_assessment(assess: Steward, tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "requirements.txt": "six==1.17.0\n",
            "tests/unit/assets/broken/requirements.txt": "django==\n",
        },
    )
    assert assess(root).exit_code == 2
    by_option = assess(root, "--exclude", "tests/**/assets")
    assert by_option.exit_code == 0, by_option.output
    by_variable = assess(root, env={"STEWARD_EXCLUDE": "tests/**/assets"})
    assert by_variable.exit_code == 0, by_variable.output
    (root / "steward.toml").write_text('exclude = ["tests/**/assets"]\n', encoding="utf-8")
    by_file = assess(root)
    assert by_file.exit_code == 0, by_file.output
    assert "1 project, 1 dependency" in by_file.stdout


def test_a_problem_reached_twice_is_reported_once(assess: Steward, tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {"requirements.txt": "-r requirements-base.txt\n", "requirements-base.txt": "django==\n"},
    )
    result = assess(root)
    assert result.exit_code == 2
    assert result.stderr.count("requirements-base.txt:1: invalid requirement") == 1
