"""SPDX 2.3 JSON SBOMs: packages, relationships, licenses, purls; every document passes spdx-tools' checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pysteward.engine.sbom import spdx_document, spdx_json
from tests.engine.sbom.conftest import Assess, spdx_errors
from tests.formats.conftest import sample_assessment


def _valid(assessment: Any, **kw: Any) -> dict[str, Any]:
    text = spdx_json(assessment, **kw)
    assert spdx_errors(text) == []
    document: dict[str, Any] = json.loads(text)
    return document


def _packages(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["SPDXID"]: p for p in document["packages"]}


@pytest.mark.parametrize("name", ["paperless-ngx-paperless-ngx-uv.lock", "saleor-saleor-uv.lock"])
def test_it_describes_a_real_uv_lock_with_purls_checksums_and_depends_on(
    name: str, shared_data: Path, tmp_path: Path, assessed: Assess
) -> None:
    shutil.copyfile(shared_data / "real-world" / name, tmp_path / "uv.lock")
    assessment = assessed(tmp_path)
    document = _valid(assessment)
    packages = _packages(document)
    [describes] = [r for r in document["relationships"] if r["relationshipType"] == "DESCRIBES"]
    root = describes["relatedSpdxElement"]
    assert packages[root]["primaryPackagePurpose"] == "APPLICATION"
    libraries = [p for p in packages.values() if p["primaryPackagePurpose"] == "LIBRARY"]
    assert len(libraries) == len(packages) - 1 > 100
    assert all(p["externalRefs"][0]["referenceType"] == "purl" for p in libraries)
    assert sum(1 for p in libraries if p.get("checksums")) > 100
    depends = [r for r in document["relationships"] if r["relationshipType"] == "DEPENDS_ON"]
    assert {r["spdxElementId"] for r in depends} > {root}
    assert document["documentNamespace"].startswith("https://spdx.org/spdxdocs/")


def test_it_describes_the_warehouse_requirements(shared_data: Path, assessed: Assess) -> None:
    file = shared_data / "real-world" / "pypi-warehouse-requirements-main.txt"
    document = _valid(assessed(requirements=(file,)))
    assert len(document["packages"]) > 150
    assert all(p["downloadLocation"] == "NOASSERTION" for p in document["packages"])


def test_it_marks_open_vulnerabilities_as_advisory_references_and_takes_licenses(tmp_path: Path) -> None:
    licenses = {
        ("jinja2", "2.10"): "BSD-3-Clause",
        ("werkzeug", "2.0.0"): "BSD-3-Clause OR MIT",
        ("py", "1.11.0"): "not an ( expression",
        ("urllib3", "1.26.0"): "",
    }
    document = _valid(sample_assessment(tmp_path), licenses=licenses)
    by_name = {p["name"]: p for p in document["packages"]}
    assert by_name["Jinja2"]["licenseDeclared"] == "BSD-3-Clause"
    assert by_name["Werkzeug"]["licenseDeclared"] == "BSD-3-Clause OR MIT"
    assert by_name["py"]["licenseDeclared"] == "NOASSERTION"
    assert by_name["urllib3"]["licenseDeclared"] == "NOASSERTION"
    assert all(p["licenseConcluded"] == "NOASSERTION" for p in document["packages"])
    advisories = [
        r["referenceLocator"] for r in by_name["Jinja2"]["externalRefs"] if r["referenceType"] == "advisory"
    ]
    assert advisories == [
        "https://osv.dev/vulnerability/GHSA-h5c8-rqwp-cp95",
        "https://osv.dev/vulnerability/PYSEC-2019-217",
    ]
    # py's vulnerability is ignored (not affected): no advisory reference.
    assert [r["referenceType"] for r in by_name["py"]["externalRefs"]] == ["purl"]
    assert by_name["urllib3"]["checksums"] == [{"algorithm": "SHA256", "checksumValue": "ab" * 32}]
    assert "externalRefs" not in by_name["shared"]
    # The monorepo root and its `.` project share a name; their ids stay unique.
    ids = [p["SPDXID"] for p in document["packages"]]
    assert len(ids) == len(set(ids))
    project = "SPDXRef-Project-" + document["name"].replace("_", "-")
    assert {project, project + "-2"} <= set(ids)


def test_it_gives_direct_references_their_url_as_download_location_where_spdx_accepts_it(
    tmp_path: Path, assessed: Assess
) -> None:
    (tmp_path / "requirements.txt").write_text(
        "lib @ git+https://git.invalid/org/lib@v1\n"
        "wheelie @ https://files.invalid/wheelie-1.0-py3-none-any.whl\n"
        "odd @ ftp+weird://files.invalid/odd.whl\n",
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1.0"\n', encoding="utf-8")
    document = _valid(assessed(tmp_path))
    by_name = {p["name"]: p for p in document["packages"]}
    # spdx-tools' download-location pattern only knows common host names; what it rejects is NOASSERTION.
    assert by_name["lib"]["downloadLocation"] == "NOASSERTION"
    assert by_name["wheelie"]["downloadLocation"] == "https://files.invalid/wheelie-1.0-py3-none-any.whl"
    assert by_name["odd"]["downloadLocation"] == "NOASSERTION"
    assert document["name"] == "app 1.0"


def test_the_document_is_reproducible(tmp_path: Path) -> None:
    sample = sample_assessment(tmp_path)
    assert spdx_json(sample) == spdx_json(sample)
    assert spdx_document(sample).creation_info.spdx_version == "SPDX-2.3"
