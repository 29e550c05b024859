"""Conda: environment.yml and conda-meta records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.conda import (
    CondaEnvironmentParser,
    CondaMetaParser,
    conda_python_specifier,
    read_conda_record,
)
from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.model import DirectReference, PinnedDependency, SourceKind, UnpinnedDependency
from pysteward.errors import InputError, InputErrors

ASSETS = Path(__file__).parent / "assets" / "manifests" / "conda"


def leaves(group: InputErrors) -> list[InputError]:
    """The errors of a group, checking that none is itself a group."""
    errors = [error for error in group.exceptions if isinstance(error, InputError)]
    assert len(errors) == len(group.exceptions)
    return errors


def test_it_reads_pip_requirements_and_ignores_conda_packages() -> None:
    manifest = CondaEnvironmentParser().parse(ASSETS / "environment.yml")
    by_name = {str(d.name): d for d in manifest.dependencies}
    assert sorted(by_name) == ["httpx", "local-package", "requests", "rich", "tool"]
    requests, httpx = by_name["requests"], by_name["httpx"]
    assert isinstance(requests, PinnedDependency) and requests.version == Version("2.31.0")
    assert requests.location.line == 11 and requests.location.path == ASSETS / "environment.yml"
    assert isinstance(httpx, UnpinnedDependency) and str(httpx.marker) == 'python_version >= "3.9"'
    assert manifest.python_requires == SpecifierSet("==3.10.*")
    assert manifest.kind == "environment.yml" and manifest.warnings == ()


def test_it_reads_r_includes_relative_to_the_yml_with_their_own_lines() -> None:
    manifest = CondaEnvironmentParser().parse(ASSETS / "environment.yml")
    rich = next(d for d in manifest.dependencies if d.name == "rich")
    assert rich.location.path == ASSETS / "extra-requirements.txt" and rich.location.line == 2


def test_it_reads_editable_pip_entries_as_direct_references() -> None:
    manifest = CondaEnvironmentParser().parse(ASSETS / "environment.yml")
    editables = [d for d in manifest.dependencies if isinstance(d, DirectReference)]
    assert [(d.name, d.kind, d.url, d.location.line) for d in editables] == [
        ("local-package", SourceKind.EDITABLE, "./local-package", 14),
        ("tool", SourceKind.EDITABLE, "git+https://example.invalid/tool.git#egg=tool", 15),
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("python=3.10", "==3.10.*"),
        ("python=3", "==3.*"),
        ("python>=3.9", ">=3.9"),
        ("python >=3.9,<3.12", ">=3.9,<3.12"),
        ("python==3.11.4", "==3.11.4"),
        ("python=3.10.4=h12debd9_0", "==3.10.4"),
        ("python 3.10.*", "==3.10.*"),
        ("conda-forge::python=3.12", "==3.12.*"),
    ],
)
def test_it_translates_conda_python_match_specs(spec: str, expected: str) -> None:
    assert conda_python_specifier(spec) == SpecifierSet(expected)


def test_it_gives_no_python_constraint_for_a_bare_python() -> None:
    assert conda_python_specifier("python") is None


@pytest.mark.parametrize("spec", ["python 3.9|3.10", "python[version='>=3.9']", "python=3.x.y"])
def test_it_refuses_match_specs_without_a_pep_440_form(spec: str) -> None:
    with pytest.raises(ValueError, match="no PEP 440 equivalent"):
        conda_python_specifier(spec)


def test_it_warns_about_an_untranslatable_python_and_keeps_reading() -> None:
    manifest = CondaEnvironmentParser().parse(ASSETS / "odd-python.yml")
    assert manifest.python_requires is None
    assert manifest.warnings == (
        f"{ASSETS / 'odd-python.yml'}:2: conda match spec 'python 3.9|3.10' has no PEP 440 equivalent",
    )
    assert [d.name for d in manifest.dependencies] == ["six"]


def test_it_reads_an_exact_build_pin_and_an_empty_dependencies_key() -> None:
    assert CondaEnvironmentParser().parse(ASSETS / "python-exact.yml").python_requires == SpecifierSet(
        "==3.10.4"
    )
    empty = CondaEnvironmentParser().parse(ASSETS / "no-dependencies.yml")
    assert empty.dependencies == () and empty.python_requires is None


def test_it_reads_an_empty_file_as_no_dependencies(tmp_path: Path) -> None:
    path = tmp_path / "environment.yml"
    path.write_text("", encoding="utf-8")
    assert CondaEnvironmentParser().parse(path).dependencies == ()


@pytest.mark.parametrize(
    ("asset", "line", "message"),
    [
        ("invalid-yaml.yml", 4, "invalid YAML"),
        ("not-a-mapping.yml", 1, "expected a mapping at the top level"),
        ("dependencies-not-a-list.yml", 1, "dependencies must be a list"),
        ("pip-not-a-list.yml", 2, "the pip: entry must be a list"),
    ],
)
def test_it_rejects_bad_files_with_path_line_and_reason(asset: str, line: int, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        CondaEnvironmentParser().parse(ASSETS / asset)
    assert str(caught.value).startswith(f"{ASSETS / asset}:{line}: {message}")


def test_it_reports_every_bad_pip_entry_at_once() -> None:
    with pytest.raises(InputErrors) as caught:
        CondaEnvironmentParser().parse(ASSETS / "bad-pip-entries.yml")
    assert [(e.line, e.message.split(" (")[0].split(":")[0]) for e in leaves(caught.value)] == [
        (3, "invalid requirement 'requests =!= 2'"),
        (4, "a pip"),
        (5, "-r missing-requirements.txt"),
    ]


def test_it_passes_on_the_errors_of_an_included_requirements_file(tmp_path: Path) -> None:
    (tmp_path / "reqs.txt").write_text("ok==1.0\nnot valid ==\n(bad\n", encoding="utf-8")
    (tmp_path / "environment.yml").write_text(
        "dependencies:\n  - pip:\n    - -r reqs.txt\n", encoding="utf-8"
    )
    with pytest.raises(InputErrors) as caught:
        CondaEnvironmentParser().parse(tmp_path / "environment.yml")
    assert {(Path(str(e.path)).name, e.line) for e in leaves(caught.value)} == {
        ("reqs.txt", 2),
        ("reqs.txt", 3),
    }


def test_it_claims_environment_files_by_name() -> None:
    parser = CondaEnvironmentParser()
    assert all(
        parser.claims(Path(name)) for name in ("environment.yml", "environment.yaml", "environment-gpu.yml")
    )
    assert not parser.claims(Path("env.yml"))


def write_record(directory: Path, name: str, record: object) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return path


def test_it_reads_a_conda_meta_record_at_the_line_of_its_name(tmp_path: Path) -> None:
    path = write_record(
        tmp_path / "conda-meta",
        "attrs-23.1.0-py_0.json",
        {"build": "py_0", "name": "attrs", "version": "23.1.0"},
    )
    manifest = CondaMetaParser().parse(path)
    (dependency,) = manifest.dependencies
    assert isinstance(dependency, PinnedDependency) and dependency.version == Version("23.1.0")
    assert dependency.location.line == 3
    assert manifest.is_lock and manifest.kind == "conda-meta"


def test_it_warns_about_a_conda_version_that_is_not_pep_440(tmp_path: Path) -> None:
    path = write_record(tmp_path, "openssl.json", {"name": "openssl", "version": "1.1.1w-custom+x y"})
    manifest = CondaMetaParser().parse(path)
    assert manifest.dependencies == ()
    assert "'1.1.1w-custom+x y' is not a PEP 440 version" in manifest.warnings[0]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ([1, 2], "a conda-meta record must be a JSON object"),
        ({"version": "1"}, 'the record has no "name"'),
        ({"name": "x", "version": 3}, 'the record has no "version"'),
    ],
)
def test_it_rejects_conda_records_without_name_or_version(
    tmp_path: Path, record: object, message: str
) -> None:
    with pytest.raises(InventoryError, match=message):
        read_conda_record(write_record(tmp_path, "x.json", record))


def test_it_claims_only_json_inside_conda_meta() -> None:
    assert CondaMetaParser().claims(Path("env/conda-meta/numpy-1.26.0-py_0.json"))
    assert not CondaMetaParser().claims(Path("env/data/numpy.json"))


def test_it_skips_empty_pip_entries_and_mappings_other_than_pip(tmp_path: Path) -> None:
    path = tmp_path / "environment.yml"
    path.write_text('dependencies:\n  - {channel: x}\n  - pip:\n    - ""\n    - six\n', encoding="utf-8")
    assert [d.name for d in CondaEnvironmentParser().parse(path).dependencies] == ["six"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("dependencies:\n  - pip:\n    - -e /\n", "cannot tell the package name of editable '/'"),
        ("dependencies: \x07\n", "invalid YAML"),
    ],
)
def test_it_rejects_unreadable_environment_content(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "environment.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InventoryError, match=message):
        CondaEnvironmentParser().parse(path)
