"""CycloneDX 1.6 SBOMs: real-world inputs, VEX states, graphs; every document passes the official schemas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from pysteward.engine.findings import VulnerabilityFinding
from pysteward.engine.sbom import cyclonedx_bom, cyclonedx_json, cyclonedx_xml
from tests.engine.sbom.conftest import Assess, cyclonedx_json_errors, cyclonedx_xml_errors
from tests.formats.conftest import sample_assessment

REAL_LOCKS = ("paperless-ngx-paperless-ngx-uv.lock", "saleor-saleor-uv.lock")


def _valid(assessment: Any, **kw: Any) -> dict[str, Any]:
    text = cyclonedx_json(assessment, **kw)
    assert cyclonedx_json_errors(text) == []
    assert cyclonedx_xml_errors(cyclonedx_xml(assessment, **kw)) == []
    document: dict[str, Any] = json.loads(text)
    return document


def _graph(document: dict[str, Any]) -> dict[str, list[str]]:
    return {d["ref"]: d.get("dependsOn", []) for d in document["dependencies"]}


@pytest.mark.parametrize("name", REAL_LOCKS)
def test_it_describes_a_real_uv_lock_with_hashes_scopes_and_its_graph(
    name: str, shared_data: Path, tmp_path: Path, assessed: Assess
) -> None:
    shutil.copyfile(shared_data / "real-world" / name, tmp_path / "uv.lock")
    assessment = assessed(tmp_path)
    document = _valid(assessment)
    locked = {
        (d.dependency.name, d.version, getattr(d.dependency, "url", None))
        for d in assessment.projects[0].dependencies
    }
    components = document["components"]
    assert len(components) == len(locked)
    assert all(
        c["purl"].startswith("pkg:pypi/") and unquote(c["purl"].split("?")[0]).endswith(f"@{c['version']}")
        for c in components
    )
    hashed = {d.dependency.display_name for d in assessment.projects[0].dependencies if d.dependency.hashes}
    assert {c["name"] for c in components if c.get("hashes", [{}])[0].get("alg") == "SHA-256"} == hashed
    assert {c["scope"] for c in components} == {"required", "optional"}
    graph = _graph(document)
    root = document["metadata"]["component"]["bom-ref"]
    assert graph[root]
    refs = {c["bom-ref"] for c in components}
    assert set(graph) == refs | {root}
    assert sum(len(children) for children in graph.values()) > len(components)


def test_it_describes_the_warehouse_requirements_with_direct_pins_under_the_root(
    shared_data: Path, tmp_path: Path, assessed: Assess
) -> None:
    file = shared_data / "real-world" / "pypi-warehouse-requirements-main.txt"
    assessment = assessed(requirements=(file,))
    document = _valid(assessment)
    pins = {(str(d.dependency.name), str(d.version)) for d in assessment.projects[0].dependencies}
    assert len(document["components"]) == len(pins) > 150
    root = document["metadata"]["component"]["bom-ref"]
    # pip-compile's `# via -r …` comments tell which pins the project names itself.
    direct = {
        f"pkg:pypi/{d.dependency.name}@{d.version}"
        for d in assessment.projects[0].dependencies
        if d.dependency.direct
    }
    assert set(_graph(document)[root]) == direct
    assert 50 < len(direct) < len(pins)
    assert document["metadata"]["tools"]["components"][0]["name"] == "steward"
    assert document["metadata"]["timestamp"].startswith(assessment.generated_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_it_reports_open_vulnerabilities_in_triage_and_ignored_ones_as_not_affected(
    tmp_path: Path, assessed: Assess
) -> None:
    (tmp_path / "requirements.txt").write_text(
        "django==4.2.11\npyyaml==6.0\nevil-pkg==1.0\n", encoding="utf-8"
    )
    (tmp_path / "steward.toml").write_text(
        '[[ignore]]\nid = "CVE-2099-1001"\nreason = "admin only"\nuntil = 2027-01-01\n', encoding="utf-8"
    )
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "2.1"\n', encoding="utf-8")
    document = _valid(assessed(tmp_path))
    by_id = {v["id"]: v for v in document["vulnerabilities"]}
    assert set(by_id) == {"PYSEC-2099-1", "PYSEC-2099-2", "MAL-2099-9"}
    ignored = by_id["PYSEC-2099-1"]
    assert ignored["analysis"] == {"state": "not_affected", "detail": "admin only (ignored until 2027-01-01)"}
    assert ignored["affects"] == [{"ref": "pkg:pypi/django@4.2.11"}]
    assert ignored["recommendation"] == "Upgrade django to 4.2.12 or later."
    assert {r["id"] for r in ignored["references"]} == {"CVE-2099-1001", "GHSA-dj11-aaaa-0001"}
    pyyaml = by_id["PYSEC-2099-2"]
    assert pyyaml["analysis"] == {"state": "in_triage"}
    assert pyyaml["source"]["name"] == "OSV"
    [rating] = pyyaml["ratings"]
    assert (rating["method"], rating["severity"], rating["vector"]) == (
        "CVSSv31",
        "critical",
        "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    assert by_id["MAL-2099-9"]["ratings"][0]["severity"] == "critical"
    assert document["metadata"]["component"] == {
        "bom-ref": "project:.",
        "name": "shop",
        "type": "application",
        "version": "2.1",
    }


def test_it_renders_the_sample_monorepo_with_licenses_references_and_every_rating_method(
    tmp_path: Path,
) -> None:
    import dataclasses

    sample = sample_assessment(tmp_path)
    web, api = sample.projects
    findings = list(web.findings)
    vectors = ["CVSS:4.0/AV:N", "CVSS:3.0/AV:N", "AV:N/AC:L/Au:N/C:P/I:P/A:P", "OWASP/XYZ"]
    for index, finding in enumerate(f for f in web.findings if isinstance(f, VulnerabilityFinding)):
        new = dataclasses.replace(
            finding,
            vector=vectors[index],
            references=("https://advisories.invalid/a", "https://bad.invalid/%zz"),
        )
        findings[findings.index(finding)] = new
    sample = dataclasses.replace(sample, projects=(dataclasses.replace(web, findings=tuple(findings)), api))
    licenses = {("jinja2", "2.10"): "BSD-3-Clause", ("werkzeug", "2.0.0"): "BSD-3-Clause OR MIT"}
    document = _valid(sample, licenses=licenses)
    components = {c["bom-ref"]: c for c in document["components"]}
    assert components["pkg:pypi/jinja2@2.10"]["licenses"] == [{"license": {"id": "BSD-3-Clause"}}]
    assert components["pkg:pypi/werkzeug@2.0.0"]["licenses"] == [{"expression": "BSD-3-Clause OR MIT"}]
    assert "purl" not in components["shared@editable:./libs/shared"]
    assert components["pkg:pypi/requests"].get("version") is None
    methods = {r.get("method") for v in document["vulnerabilities"] for r in v["ratings"]}
    assert methods >= {"CVSSv4", "CVSSv3", "CVSSv2", "other"}
    advised = {v["id"] for v in document["vulnerabilities"] if v.get("advisories")}
    assert advised == {"PYSEC-2019-217", "GHSA-h5c8-rqwp-cp95", "PYSEC-2023-999", "MAL-2024-1234"}
    assert all(
        v["advisories"] == [{"url": "https://advisories.invalid/a"}]
        for v in document["vulnerabilities"]
        if v["id"] in advised
    )
    # The monorepo's root depends on both projects; each project on what it names itself.
    graph = _graph(document)
    assert graph["project:"] == ["project:.", "project:services/api"]
    assert "pkg:pypi/flask@2.0.0" in graph["project:services/api"]


def test_it_links_direct_references_by_their_url(tmp_path: Path, assessed: Assess) -> None:
    (tmp_path / "requirements.txt").write_text(
        "lib @ git+https://git.invalid/org/lib@v1\n"
        "wheelie @ https://files.invalid/wheelie-1.0-py3-none-any.whl\n"
        "odd @ https://files.invalid/%zz/odd.whl\n",
        encoding="utf-8",
    )
    document = _valid(assessed(tmp_path))
    references = {c["name"]: c.get("externalReferences", []) for c in document["components"]}
    assert references["lib"] == [{"type": "vcs", "url": "git+https://git.invalid/org/lib@v1"}]
    assert references["wheelie"][0]["type"] == "distribution"
    assert references["odd"] == []


def test_the_bom_is_reproducible_for_the_same_assessment(tmp_path: Path) -> None:
    sample = sample_assessment(tmp_path)
    assert cyclonedx_json(sample) == cyclonedx_json(sample)
    assert str(cyclonedx_bom(sample).serial_number) in cyclonedx_xml(sample)
