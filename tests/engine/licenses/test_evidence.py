"""Reading license evidence from metadata files, index JSON and the project's own configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.licenses import (
    LicenseEvidence,
    evidence_from_info,
    evidence_from_metadata,
    project_license,
)

METADATA = """\
Metadata-Version: 2.4
Name: demo
Version: 1.0
license-expression: MIT OR Apache-2.0
License: MIT License
        with a second line
Classifier: Programming Language :: Python
Classifier: License :: OSI Approved :: MIT License
Classifier: License :: OSI Approved :: MIT License

License: this is the description body, not a header
"""


def test_it_reads_the_license_headers_of_a_metadata_file_case_insensitively(tmp_path: Path) -> None:
    path = tmp_path / "METADATA"
    path.write_text(METADATA)
    evidence = evidence_from_metadata(path)
    assert evidence == LicenseEvidence(
        expression="MIT OR Apache-2.0",
        classifiers=("License :: OSI Approved :: MIT License",),
        text="MIT License\nwith a second line",
        source="metadata",
    )
    assert not evidence.empty


def test_it_treats_unknown_and_blank_license_fields_as_absent(tmp_path: Path) -> None:
    path = tmp_path / "PKG-INFO"
    path.write_text("Metadata-Version: 1.1\nName: old\nLicense: UNKNOWN\nLicense-Expression:   \n")
    evidence = evidence_from_metadata(path)
    assert evidence.expression is None
    assert evidence.text is None
    assert evidence.empty


def test_it_reports_a_missing_metadata_file_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="file not found"):
        evidence_from_metadata(tmp_path / "METADATA")


def test_it_reads_the_license_fields_of_index_json_and_ignores_wrong_types() -> None:
    info = {
        "license_expression": "BSD-3-Clause",
        "license": "BSD",
        "classifiers": ["License :: OSI Approved :: BSD License", 3, "Topic :: Security"],
    }
    assert evidence_from_info(info) == LicenseEvidence(
        expression="BSD-3-Clause",
        classifiers=("License :: OSI Approved :: BSD License",),
        text="BSD",
        source="index",
    )
    broken = evidence_from_info({"license_expression": 7, "license": None, "classifiers": "nope"})
    assert broken.empty
    assert evidence_from_info({"classifiers": {"a": 1}}).classifiers == ()


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text)


def test_it_reads_a_pep_639_project_license_and_its_classifiers(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "p"\nlicense = "Apache-2.0"\n'
        'classifiers = ["License :: OSI Approved :: Apache Software License", "Typing :: Typed"]\n',
    )
    assert project_license(tmp_path) == LicenseEvidence(
        expression="Apache-2.0",
        classifiers=("License :: OSI Approved :: Apache Software License",),
        source="project",
    )


def test_it_reads_the_legacy_license_text_table(tmp_path: Path) -> None:
    _write(tmp_path, "pyproject.toml", '[project]\nname = "p"\nlicense = { text = "MIT License" }\n')
    evidence = project_license(tmp_path)
    assert evidence is not None
    assert evidence.text == "MIT License"
    assert evidence.expression is None


def test_it_reads_the_license_file_a_legacy_table_names(tmp_path: Path) -> None:
    _write(tmp_path, "pyproject.toml", '[project]\nname = "p"\nlicense = { file = "LICENSE.txt" }\n')
    _write(tmp_path, "LICENSE.txt", "BSD 3-Clause License\n\nCopyright (c) 2026\n")
    evidence = project_license(tmp_path)
    assert evidence is not None
    assert evidence.text is not None
    assert evidence.text.startswith("BSD 3-Clause License")


@pytest.mark.parametrize(
    "license_value",
    ['{ file = "MISSING" }', "{ file = 3 }", '{ file = "" }', "42"],
)
def test_it_says_nothing_for_unreadable_or_odd_license_values(tmp_path: Path, license_value: str) -> None:
    _write(tmp_path, "pyproject.toml", f'[project]\nname = "p"\nlicense = {license_value}\n')
    assert project_license(tmp_path) is None


def test_it_falls_back_to_setup_cfg_when_pyproject_says_nothing(tmp_path: Path) -> None:
    _write(tmp_path, "pyproject.toml", '[build-system]\nrequires = ["setuptools"]\n')
    _write(
        tmp_path,
        "setup.cfg",
        "[metadata]\nname = p\nlicense = GPLv3+\nclassifiers =\n"
        "    License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)\n"
        "    Programming Language :: Python\n",
    )
    assert project_license(tmp_path) == LicenseEvidence(
        classifiers=("License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)",),
        text="GPLv3+",
        source="project",
    )


def test_it_returns_none_when_no_file_declares_a_license(tmp_path: Path) -> None:
    assert project_license(tmp_path) is None
    _write(tmp_path, "pyproject.toml", '[project]\nname = "p"\n')
    _write(tmp_path, "setup.cfg", "[options]\npackages = find:\n")
    assert project_license(tmp_path) is None
    _write(tmp_path, "setup.cfg", "[metadata]\nname = p\n")
    assert project_license(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("license = MIT\n", 1, "a line comes before the first [section]"),
        ("[metadata]\nlicense = MIT\nnot a key value line\n", 3, "a line is neither `key = value`"),
        ("[metadata]\nlicense = MIT\nlicense = BSD\n", 3, "'license' is set twice in [metadata]"),
        ("[metadata]\n[metadata]\n", 2, "[metadata] appears twice"),
    ],
)
def test_it_reports_an_invalid_setup_cfg_with_its_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    _write(tmp_path, "setup.cfg", text)
    with pytest.raises(InventoryError) as caught:
        project_license(tmp_path)
    assert caught.value.line == line
    assert f"invalid setup.cfg: {message}" in str(caught.value)


def test_it_reports_an_invalid_pyproject_with_its_line(tmp_path: Path) -> None:
    _write(tmp_path, "pyproject.toml", "[project\n")
    with pytest.raises(InventoryError, match="invalid TOML"):
        project_license(tmp_path)
