"""`steward sbom`: the command on a local Typer app (the lead registers it in the real one)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from pysteward.cli.sbom import sbom_command
from tests.cli.conftest import ON
from tests.engine.sbom.conftest import cyclonedx_json_errors, cyclonedx_xml_errors, spdx_errors

app = typer.Typer()
app.command("sbom")(sbom_command)


@app.callback()
def _root() -> None:
    """A group, so `sbom` is a subcommand as in the real app."""


def run(db: Path, *args: object) -> Result:
    argv = ["sbom", *(str(a) for a in args), "--database", str(db), "--date", ON]
    return CliRunner().invoke(app, argv, catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("django==4.2.11\nsix==1.16.0\n", encoding="utf-8")
    (tmp_path / "steward.toml").write_text(
        '[[ignore]]\nid = "PYSEC-2099-4"\nreason = "never imported"\n', encoding="utf-8"
    )
    return tmp_path


def test_it_prints_cyclonedx_json_with_vex_to_stdout(advisory_db: Path, project: Path) -> None:
    result = run(advisory_db, project)
    assert result.exit_code == 0, result.output
    assert cyclonedx_json_errors(result.stdout) == []
    states = {v["id"]: v["analysis"]["state"] for v in json.loads(result.stdout)["vulnerabilities"]}
    assert states == {"PYSEC-2099-1": "in_triage", "PYSEC-2099-4": "not_affected"}


def test_it_writes_xml_and_spdx_to_a_file_and_says_so(advisory_db: Path, project: Path) -> None:
    xml = project / "bom.xml"
    result = run(advisory_db, "-r", project / "requirements.txt", "--format", "cyclonedx-xml", "-o", xml)
    assert result.exit_code == 0
    assert cyclonedx_xml_errors(xml.read_text(encoding="utf-8")) == []
    assert f"written to {xml}" in result.stderr
    spdx = project / "bom.spdx.json"
    result = run(advisory_db, project, "-f", "spdx-json", "-o", spdx, "--exclude", "nothing/**")
    assert result.exit_code == 0
    assert spdx_errors(spdx.read_text(encoding="utf-8")) == []


def test_it_reads_the_current_directory_and_an_environment(
    advisory_db: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    assert run(advisory_db).exit_code == 0
    site = project / "site-packages" / "six-1.16.0.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text("Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n", encoding="utf-8")
    result = run(advisory_db, "--env", project / "site-packages")
    assert [c["name"] for c in json.loads(result.stdout)["components"]] == ["six"]


def test_it_reports_bad_input_and_unwritable_output_with_exit_code_2(
    advisory_db: Path, project: Path
) -> None:
    missing = run(advisory_db, project / "missing")
    assert missing.exit_code == 2
    assert "no such file or directory" in missing.stderr
    unwritable = run(advisory_db, project, "-o", project)
    assert unwritable.exit_code == 2
    assert "cannot write the SBOM" in unwritable.stderr


def test_an_installed_packages_license_expression_reaches_its_component(
    advisory_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # offline: only names the cache
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    site = tmp_path / "site-packages"
    for name, version, license_line in (("six", "1.16.0", "License-Expression: MIT\n"), ("bare", "0.1", "")):
        info = site / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        metadata = f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n{license_line}"
        (info / "METADATA").write_text(metadata, encoding="utf-8")
    result = run(advisory_db, "--env", site, "--format", "cyclonedx-json", "--offline")
    assert result.exit_code == 0, result.output
    assert cyclonedx_json_errors(result.stdout) == []
    components = {c["name"]: c for c in json.loads(result.stdout)["components"]}
    assert components["six"]["licenses"] == [{"license": {"id": "MIT"}}]
    assert "licenses" not in components["bare"]
