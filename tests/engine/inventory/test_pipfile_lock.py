"""PipfileLockParser: Pipfile.lock sections, references, lines and Python version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.pipfile_lock import PipfileLockParser
from pysteward.engine.model import DirectReference, PinnedDependency, SourceKind

ASSETS = Path(__file__).parent / "assets" / "lockfiles" / "pipfile"
PARSER = PipfileLockParser()

LOCK: dict[str, Any] = {
    "_meta": {"requires": {"python_version": "3.11"}, "sources": []},
    "default": {
        "six": {"hashes": ["sha256:aa", "sha256:bb"], "version": "==1.16.0"},
        "pluggy": {"markers": "python_version >= '3.6'", "version": "==1.0.1"},
        "requests": {"extras": ["socks"], "version": "==2.31.0"},
        "markupsafe": {
            "editable": True,
            "git": "https://git.invalid/pallets/markupsafe",
            "ref": "b36054111bc1e8bbadb5d0d60158feb72926f467",
        },
        "local": {"editable": True, "path": "./local"},
        "wheelie": {"file": "https://files.invalid/wheelie-1.0-py3-none-any.whl", "version": "==1.0"},
    },
    "develop": {
        "six": {"version": "==1.16"},
        "pluggy": {"version": "==1.0.0"},
        "vendored": {"path": "vendor/vendored.tar.gz"},
    },
    "docs": {"sphinx": {"version": "==8.0.0"}},
}


def _write(tmp_path: Path, data: Any, *, indent: int | None = 4) -> Path:
    path = tmp_path / "Pipfile.lock"
    path.write_text(json.dumps(data, indent=indent), encoding="utf-8")
    return path


def test_it_claims_pipfile_lock_in_any_case() -> None:
    assert PARSER.claims(Path("Pipfile.lock"))
    assert not PARSER.claims(Path("Pipfile"))
    assert (PARSER.kind, PARSER.is_lock) == ("Pipfile.lock", True)


def test_it_merges_the_same_version_across_sections_into_main(tmp_path: Path) -> None:
    found = PARSER.parse(_write(tmp_path, LOCK)).dependencies
    six = [d for d in found if d.name == "six"]
    assert len(six) == 1
    assert isinstance(six[0], PinnedDependency)
    assert (six[0].version, six[0].scopes, six[0].hashes) == (
        Version("1.16.0"),
        ("main",),
        ("sha256:aa", "sha256:bb"),
    )


def test_it_keeps_different_versions_in_different_sections_apart(tmp_path: Path) -> None:
    found = PARSER.parse(_write(tmp_path, LOCK)).dependencies
    pluggy = {
        (str(d.version), d.scopes) for d in found if isinstance(d, PinnedDependency) and d.name == "pluggy"
    }
    assert pluggy == {("1.0.1", ("main",)), ("1.0.0", ("dev",))}


def test_it_names_other_categories_after_the_section(tmp_path: Path) -> None:
    found = {str(d.name): d for d in PARSER.parse(_write(tmp_path, LOCK)).dependencies}
    assert found["sphinx"].scopes == ("docs",)
    assert found["requests"].extras == ("socks",)


def test_it_keeps_entry_markers(tmp_path: Path) -> None:
    found = PARSER.parse(_write(tmp_path, LOCK)).dependencies
    markers = {d.scopes: d.marker for d in found if d.name == "pluggy"}
    assert markers == {("main",): Marker("python_version >= '3.6'"), ("dev",): None}


def test_it_turns_entries_without_a_version_into_direct_references(tmp_path: Path) -> None:
    found = {str(d.name): d for d in PARSER.parse(_write(tmp_path, LOCK)).dependencies}
    markupsafe = found["markupsafe"]
    assert isinstance(markupsafe, DirectReference)
    assert (markupsafe.kind, markupsafe.commit, markupsafe.version) == (
        SourceKind.VCS,
        "b36054111bc1e8bbadb5d0d60158feb72926f467",
        None,
    )
    assert (found["local"].source, found["vendored"].source) == (SourceKind.EDITABLE, SourceKind.PATH)
    wheelie = found["wheelie"]
    assert isinstance(wheelie, DirectReference)
    assert (wheelie.kind, wheelie.version) == (SourceKind.URL, Version("1.0"))


def test_it_gives_each_package_the_line_of_its_key(tmp_path: Path) -> None:
    path = _write(tmp_path, LOCK)
    lines = path.read_text(encoding="utf-8").splitlines()
    for dependency in PARSER.parse(path).dependencies:
        assert dependency.location.line is not None
        assert lines[dependency.location.line - 1].strip().startswith(f'"{dependency.display_name}": {{')


def test_it_has_no_lines_for_minified_json(tmp_path: Path) -> None:
    found = PARSER.parse(_write(tmp_path, LOCK, indent=None)).dependencies
    assert {d.location.line for d in found} == {None}


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        ({"python_version": "3.11"}, SpecifierSet("==3.11.*")),
        ({"python_full_version": "3.11.4", "python_version": "3.11"}, SpecifierSet("==3.11.4")),
        ({}, None),
    ],
)
def test_it_reads_the_required_python(
    tmp_path: Path, requires: dict[str, str], expected: SpecifierSet | None
) -> None:
    data = {"_meta": {"requires": requires}, "default": {}}
    assert PARSER.parse(_write(tmp_path, data)).python_requires == expected


def test_it_skips_an_entry_with_neither_version_nor_source_and_warns(tmp_path: Path) -> None:
    manifest = PARSER.parse(_write(tmp_path, {"default": {"ghost": {"markers": "os_name == 'nt'"}}}))
    assert manifest.dependencies == ()
    assert manifest.warnings == (
        f"{tmp_path / 'Pipfile.lock'}:3: default.ghost: no version and no source; skipped",
    )


def test_it_ignores_top_level_keys_that_are_not_sections(tmp_path: Path) -> None:
    manifest = PARSER.parse(
        _write(tmp_path, {"comment": "hand-edited", "default": {"six": {"version": "==1.0"}}})
    )
    assert [d.name for d in manifest.dependencies] == ["six"]


def test_it_keeps_a_package_whose_marker_does_not_parse_and_warns(tmp_path: Path) -> None:
    manifest = PARSER.parse(
        _write(tmp_path, {"default": {"six": {"markers": "os_name ==", "version": "==1.0"}}})
    )
    (six,) = manifest.dependencies
    assert six.marker is None
    assert "ignoring invalid marker 'os_name =='" in manifest.warnings[0]


@pytest.mark.parametrize("text", ["", "  \n"])
def test_it_reads_an_empty_file_as_no_packages(tmp_path: Path, text: str) -> None:
    path = tmp_path / "Pipfile.lock"
    path.write_text(text, encoding="utf-8")
    assert PARSER.parse(path).dependencies == ()


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ("not-json.lock", ":1: invalid JSON: Expecting property name enclosed in double quotes"),
        ("not-object.lock", ":1: document: expected a JSON object"),
        ("section-not-object.lock", ":3: default: expected an object"),
        ("entry-not-object.lock", ":3: default.six: expected an object"),
        ("invalid-version.lock", ":3: default.six.version: invalid version 'one.sixteen'"),
        ("version-not-string.lock", ":3: default.six.version: expected a string, got a number"),
    ],
)
def test_it_reports_a_broken_lock_with_path_and_line(asset: str, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        PARSER.parse(ASSETS / asset)
    assert str(caught.value) == f"{ASSETS / asset}{message}"
