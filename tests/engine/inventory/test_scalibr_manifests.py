"""Agreement with osv-scalibr's pyprojecttoml, wheelegg and condameta extractor fixtures.

Every tested fixture is checked: error cases raise `InventoryError`; otherwise each expected package is
found by normalised name with the expected version (pinned: equal `Version`; a comparator such as
`>=`: an unpinned dependency whose specifier holds that clause; no version: unpinned with no
specifier) and, where scalibr gives one, the expected line. Where Steward deliberately differs, the
difference is listed in DEVIATIONS and Steward's own behaviour is asserted instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.conda import CondaMetaParser
from pysteward.engine.inventory.installed import InstalledMetadataParser
from pysteward.engine.inventory.interface import InventoryError, Parser
from pysteward.engine.inventory.pyproject import PyprojectParser
from pysteward.engine.model import Dependency, PinnedDependency, UnpinnedDependency, normalize
from tests.shared import scalibr_cases, scalibr_file

PARSERS: dict[str, Parser] = {
    "pyprojecttoml": PyprojectParser(),
    "wheelegg": InstalledMetadataParser(),
    "condameta": CondaMetaParser(),
}

DEVIATIONS: dict[tuple[str, str], str] = {
    ("pyprojecttoml", "line"): (
        "scalibr reports file-level locations (null); Steward gives the line the requirement string is "
        "written on, which SARIF and terminal output can point at"
    ),
    ("pyprojecttoml", "error_message"): (
        "scalibr says 'failed to parse pyproject.toml'; Steward says 'invalid TOML: <reason>' with the line"
    ),
}

CASES = [
    pytest.param(extractor, key, spec, id=key)
    for extractor in PARSERS
    for key, spec in scalibr_cases(extractor)
]


def written_line(path: Path, requirement: str) -> int:
    """The line a TOML basic string holding `requirement` is written on (plain or escaped)."""
    escaped = json.dumps(requirement)[1:-1]
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if requirement in line or escaped in line)


def check_version(dependency: Dependency, expected: dict[str, Any]) -> None:
    version, comparator = expected["version"], expected.get("version_comparator", "==")
    if not version:
        assert isinstance(dependency, UnpinnedDependency) and dependency.specifier == SpecifierSet()
    elif comparator == "==":
        assert isinstance(dependency, PinnedDependency) and dependency.version == Version(version)
    else:
        assert isinstance(dependency, UnpinnedDependency)
        assert Specifier(f"{comparator}{version}") in set(dependency.specifier)


@pytest.mark.parametrize(("extractor", "key", "spec"), CASES)
def test_it_agrees_with_the_scalibr_fixture(extractor: str, key: str, spec: dict[str, Any]) -> None:
    path = scalibr_file(key)
    parser = PARSERS[extractor]
    if spec["error"]:
        with pytest.raises(InventoryError) as caught:
            parser.parse(path)
        if (extractor, "error_message") in DEVIATIONS:
            assert "invalid TOML" in str(caught.value) and caught.value.line is not None
        elif "error_contains" in spec:
            assert spec["error_contains"] in str(caught.value)
        return
    manifest = parser.parse(path)
    found = {str(dependency.name): dependency for dependency in manifest.dependencies}
    assert sorted(found) == sorted(normalize(package["name"]) for package in spec["packages"])
    for expected in spec["packages"]:
        dependency = found[normalize(expected["name"])]
        check_version(dependency, expected)
        if (extractor, "line") in DEVIATIONS:
            assert expected["line"] is None
            assert dependency.location.line == written_line(path, expected["requirement"])
        else:
            assert dependency.location.line == expected["line"]
        if extractor != "pyprojecttoml":
            assert dependency.display_name == expected["name"]


def test_it_covers_every_tested_fixture_of_the_three_extractors() -> None:
    counts = {extractor: len(scalibr_cases(extractor)) for extractor in PARSERS}
    assert counts == {"pyprojecttoml": 8, "wheelegg": 10, "condameta": 5}
