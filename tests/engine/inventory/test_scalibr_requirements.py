"""Agreement with osv-scalibr's requirements.txt extractor on its own fixtures.

Where Steward deliberately differs (it follows pip more closely, or refuses to stay silent), the fixture
is listed in DEVIATIONS with the reason, and its own check asserts what Steward does instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.requirements import RequirementsParser
from pysteward.engine.model import (
    DirectReference,
    Manifest,
    PinnedDependency,
    SourceKind,
    UnpinnedDependency,
    normalize,
)
from pysteward.errors import InputError, InputErrors
from tests.shared import scalibr_cases, scalibr_file

CASES = scalibr_cases("requirements")
PREFIX = "requirements/testdata/"

DEVIATIONS: dict[str, str] = {
    PREFIX + "example.txt": (
        "the missing `-c constraints.txt` is an error (as in pip); once it is removed, pandas is located at "
        "its own line in other-requirements.txt, and the URL and wheel-path lines are direct references"
    ),
    PREFIX + "env_var.txt": (
        "`qwert==${MY_VARIABLE_1}` with the variable unset is reported as unpinned with a warning, "
        "not dropped"
    ),
    PREFIX + "invalid.txt": (
        "lines 1-3 are errors instead of silently nothing; line 4 is a valid `name @ url` and line 5 is "
        "pip's `-f oo==1.0` (find-links), as pip reads them"
    ),
    PREFIX + "loop.txt": "same packages (none), plus a warning naming the include cycle",
    PREFIX + "per_req_options.txt": (
        "lines pip rejects are errors (foo4 and foo12 hashes without `algorithm:`, foo7 text before the "
        "options, foo10/foo15 empty versions); `--hash sha256:123` (foo13) is a hash, as in pip's optparse"
    ),
}


def flat(group: InputErrors) -> list[InputError]:
    """The group's errors, each checked to be a plain `InputError` (no nested groups)."""
    errors = list(group.exceptions)
    assert all(isinstance(error, InputError) for error in errors)
    return [error for error in errors if isinstance(error, InputError)]


def parse(path: Path) -> Manifest:
    return RequirementsParser().parse(path)


def blanked_copy(tmp_path: Path, key: str, lines: set[int]) -> Path:
    """A copy of the fixture directory with `lines` of the fixture emptied (numbering kept)."""
    directory = tmp_path / "testdata"
    shutil.copytree(scalibr_file(key).parent, directory)
    path = directory / Path(key).name
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join("" if number in lines else line for number, line in enumerate(text, start=1)) + "\n",
        encoding="utf-8",
    )
    return path


def assert_agrees(manifest: Manifest, expected: list[dict[str, Any]]) -> None:
    """Every expected package is found with its line, version or specifier, hashes and text, in order."""
    positions = []
    for package in expected:
        found = [dep for dep in manifest.dependencies if dep.name == normalize(package["name"])]
        assert len(found) == 1, package["name"]
        (dep,) = found
        positions.append(manifest.dependencies.index(dep))
        assert dep.display_name == package["name"]
        assert dep.location.line == package["line"], package["name"]
        assert dep.hashes == tuple(package["hashes"]), package["name"]
        assert dep.requirement == package["requirement"], package["name"]
        comparator = package.get("version_comparator")
        if comparator in ("==", "==="):
            assert isinstance(dep, PinnedDependency), package["name"]
            assert dep.version == Version(package["version"])
        else:
            assert isinstance(dep, UnpinnedDependency), package["name"]
            assert dep.specifier == Requirement(package["requirement"]).specifier
            if comparator:
                assert f"{comparator}{package['version']}" in str(dep.specifier)
    assert positions == sorted(positions)


def check_example(key: str, spec: dict[str, Any], tmp_path: Path, _: pytest.MonkeyPatch) -> None:
    with pytest.raises(InventoryError) as caught:
        parse(scalibr_file(key))
    assert (caught.value.line, caught.value.message) == (22, "constraints file 'constraints.txt' not found")
    manifest = parse(blanked_copy(tmp_path, key, {22}))
    pandas = next(package for package in spec["packages"] if package["name"] == "pandas")
    assert_agrees(manifest, [package for package in spec["packages"] if package is not pandas])
    (found_in,) = pandas["also_found_in"]
    dep = next(dep for dep in manifest.dependencies if dep.name == "pandas")
    assert (dep.location.path.name, dep.location.line) == (Path(found_in["path"]).name, found_in["line"])
    assert isinstance(dep, PinnedDependency)
    assert dep.version == Version(pandas["version"])
    references = [
        (dep.name, dep.kind, dep.version, dep.location.line)
        for dep in manifest.dependencies
        if isinstance(dep, DirectReference)
    ]
    assert references == [
        ("urllib3", SourceKind.URL, None, 10),
        ("numpy", SourceKind.PATH, Version("1.9.2"), 25),
        ("wxpython-phoenix", SourceKind.URL, Version("3.0.3.dev1820+49a8884"), 28),
    ]
    assert len(manifest.dependencies) == len(spec["packages"]) + 3


def check_env_var(key: str, spec: dict[str, Any], _: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_VARIABLE_1", raising=False)
    path = scalibr_file(key)
    manifest = parse(path)
    assert_agrees(manifest, spec["packages"])
    qwert = next(dep for dep in manifest.dependencies if dep.name == "qwert")
    assert isinstance(qwert, UnpinnedDependency)
    assert (qwert.location.line, qwert.requirement, str(qwert.specifier)) == (
        2,
        "qwert==${MY_VARIABLE_1}",
        "",
    )
    assert manifest.warnings == (f"{path}:2: environment variable MY_VARIABLE_1 is not set",)


def check_invalid(key: str, spec: dict[str, Any], tmp_path: Path, _: pytest.MonkeyPatch) -> None:
    assert spec["packages"] == []
    with pytest.raises(InputErrors) as caught:
        parse(scalibr_file(key))
    assert [error.line for error in flat(caught.value)] == [1, 2, 3]
    assert all(error.message.startswith("invalid requirement ") for error in flat(caught.value))
    manifest = parse(blanked_copy(tmp_path, key, {1, 2, 3}))
    (urllib3,) = manifest.dependencies
    assert isinstance(urllib3, DirectReference)
    assert (urllib3.name, urllib3.kind, urllib3.location.line) == ("urllib3", SourceKind.URL, 4)


def check_loop(key: str, spec: dict[str, Any], _: Path, __: pytest.MonkeyPatch) -> None:
    assert spec["packages"] == []
    loop = scalibr_file(key)
    other = loop.parent / "other-loop.txt"
    manifest = parse(loop)
    assert manifest.dependencies == ()
    assert manifest.warnings == (f"{other}:2: include cycle {loop} -> {other} -> {loop}; not read again",)


def check_per_req_options(key: str, spec: dict[str, Any], tmp_path: Path, _: pytest.MonkeyPatch) -> None:
    rejected = {7: "foo4", 13: "foo7", 20: "foo10", 24: "foo12", 30: "foo15"}
    with pytest.raises(InputErrors) as caught:
        parse(scalibr_file(key))
    assert [error.line for error in flat(caught.value)] == list(rejected)
    manifest = parse(blanked_copy(tmp_path, key, set(rejected)))
    kept = [package for package in spec["packages"] if package["name"] not in rejected.values()]
    foo13 = next(package for package in kept if package["name"] == "foo13")
    assert_agrees(manifest, [package for package in kept if package is not foo13])
    assert_agrees(manifest, [{**foo13, "hashes": ["sha256:123"]}])
    assert len(manifest.dependencies) == len(kept)
    assert manifest.warnings == (
        f"{manifest.path}:11: text after the options is ignored: "
        "'unexpected_text_after_options_does_not_stay_around'",
    )


DEVIATION_CHECKS: dict[str, Callable[[str, dict[str, Any], Path, pytest.MonkeyPatch], None]] = {
    PREFIX + "example.txt": check_example,
    PREFIX + "env_var.txt": check_env_var,
    PREFIX + "invalid.txt": check_invalid,
    PREFIX + "loop.txt": check_loop,
    PREFIX + "per_req_options.txt": check_per_req_options,
}


def test_every_deviation_names_a_tested_fixture_and_has_its_own_check() -> None:
    assert set(DEVIATIONS) == set(DEVIATION_CHECKS)
    assert set(DEVIATIONS) <= {key for key, _ in CASES}
    assert len(CASES) >= 11


@pytest.mark.parametrize(("key", "spec"), CASES, ids=[key for key, _ in CASES])
def test_it_agrees_with_osv_scalibr_or_deviates_on_purpose(
    key: str, spec: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if key in DEVIATION_CHECKS:
        DEVIATION_CHECKS[key](key, spec, tmp_path, monkeypatch)
        return
    assert not spec["error"]
    manifest = parse(scalibr_file(key))
    assert_agrees(manifest, spec["packages"])
    assert len(manifest.dependencies) == len(spec["packages"])
    assert manifest.warnings == ()
