"""Agreement with osv-scalibr's lockfile fixtures (`lockfile-fixtures/osv-scalibr/expected.json`).

Every expected package must be found with the same name, version, line, scopes and commit, and nothing
unexpected may be found. Where Steward deliberately differs, `DEVIATIONS` records its own answer with
the reason, and the test asserts Steward's answer instead: a deviation is behaviour, never a skip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError, Parser
from pysteward.engine.inventory.pdm_lock import PdmLockParser
from pysteward.engine.inventory.pipfile_lock import PipfileLockParser
from pysteward.engine.inventory.poetry_lock import PoetryLockParser
from pysteward.engine.inventory.pylock import PylockParser
from pysteward.engine.inventory.uv_lock import UvLockParser
from pysteward.engine.model import Dependency, DirectReference, PinnedDependency, normalize
from pysteward.errors import InputError
from tests.shared import scalibr_cases, scalibr_file

PARSERS: dict[str, Parser] = {
    "poetrylock": PoetryLockParser(),
    "uvlock": UvLockParser(),
    "pipfilelock": PipfileLockParser(),
    "pdmlock": PdmLockParser(),
    "pylock": PylockParser(),
}

CASES = [(extractor, key, spec) for extractor in PARSERS for key, spec in scalibr_cases(extractor)]

_UV_GROUPED = "uvlock/testdata/grouped-packages.lock"
_PROPAGATED = (
    "scopes propagate through the dependency graph: a package only installed for an extra or group "
    "carries its names"
)

# (fixture, name, version) -> (field, Steward's value, reason).
DEVIATIONS: dict[tuple[str, str, str], tuple[str, Any, str]] = {
    (_UV_GROUPED, "click", "8.1.7"): ("scopes", ("cli", "dev", "test"), "black (dev, test) needs click too"),
    (_UV_GROUPED, "colorama", "0.4.6"): ("scopes", ("cli", "dev", "test"), _PROPAGATED),
    (_UV_GROUPED, "mccabe", "0.7.0"): ("scopes", ("test",), _PROPAGATED),
    (_UV_GROUPED, "mypy-extensions", "1.0.0"): ("scopes", ("dev", "test"), _PROPAGATED),
    (_UV_GROUPED, "packaging", "24.2"): ("scopes", ("dev", "test"), _PROPAGATED),
    (_UV_GROUPED, "pathspec", "0.12.1"): ("scopes", ("dev", "test"), _PROPAGATED),
    (_UV_GROUPED, "platformdirs", "4.3.6"): ("scopes", ("dev", "test"), _PROPAGATED),
    (_UV_GROUPED, "pycodestyle", "2.12.1"): ("scopes", ("test",), _PROPAGATED),
    (_UV_GROUPED, "pyflakes", "3.2.0"): ("scopes", ("test",), _PROPAGATED),
    (_UV_GROUPED, "tomli", "2.2.1"): ("scopes", ("dev", "test"), _PROPAGATED),
    (_UV_GROUPED, "typing-extensions", "4.12.2"): ("scopes", ("dev", "test"), _PROPAGATED),
}

# Packages Steward reports that the fixture's expectation leaves out: fixture -> {(name, version): reason}.
EXTRA_PACKAGES: dict[str, dict[tuple[str, str | None], str]] = {
    "pipfilelock/testdata/no-version.json": {
        (
            "markupsafe",
            None,
        ): "an editable git checkout is still a dependency (VCS reference, commit from `ref`)",
        (
            "itsdangerous",
            None,
        ): "an editable git checkout is still a dependency (VCS reference, commit from `ref`)",
    },
}


def _version(dependency: Dependency) -> str | None:
    if isinstance(dependency, PinnedDependency):
        return str(dependency.version)
    assert isinstance(dependency, DirectReference)
    return None if dependency.version is None else str(dependency.version)


def _matches(dependency: Dependency, expected: dict[str, Any]) -> bool:
    version = _version(dependency)
    return (
        dependency.name == normalize(expected["name"])
        and version is not None
        and Version(version) == Version(expected["version"])
        and dependency.location.line == expected["line"]
    )


def _check(fixture: str, dependency: Dependency, expected: dict[str, Any]) -> None:
    deviation = DEVIATIONS.get((fixture, expected["name"], expected["version"]))
    if "dep_groups" in expected:
        scopes = tuple(expected["dep_groups"]) or ("main",)
        if deviation is not None and deviation[0] == "scopes":
            scopes = deviation[1]
        assert dependency.scopes == scopes, expected["name"]
    if "source_commit" in expected:
        assert isinstance(dependency, DirectReference)
        assert dependency.commit == expected["source_commit"]


def _parse(extractor: str, key: str) -> tuple[Dependency, ...]:
    return PARSERS[extractor].parse(scalibr_file(key)).dependencies


@pytest.mark.parametrize(("extractor", "key", "spec"), CASES, ids=[key for _, key, _ in CASES])
def test_it_agrees_with_the_osv_scalibr_fixture(extractor: str, key: str, spec: dict[str, Any]) -> None:
    if spec["error"]:
        with pytest.raises(InventoryError) as caught:
            _parse(extractor, key)
        assert isinstance(caught.value, InputError)
        assert caught.value.line is not None
        return
    found = list(_parse(extractor, key))
    for expected in spec["packages"]:
        matching = [dependency for dependency in found if _matches(dependency, expected)]
        assert len(matching) == 1, f"{expected} not found once in {found}"
        _check(key, matching[0], expected)
        found.remove(matching[0])
    extras = {(dependency.name, _version(dependency)) for dependency in found}
    assert extras == set(EXTRA_PACKAGES.get(key, {}))


def test_every_deviation_names_a_real_expected_package() -> None:
    expected = {
        (key, package["name"], package["version"])
        for _, key, spec in CASES
        for package in spec["packages"] or []
    }
    assert set(DEVIATIONS) <= expected
    assert all(reason for _, _, reason in DEVIATIONS.values())


def test_the_pipfile_references_scalibr_drops_are_vcs_references_with_their_commit() -> None:
    found = _parse("pipfilelock", "pipfilelock/testdata/no-version.json")
    commits = {d.name: (d.kind.value, d.commit, d.scopes) for d in found if isinstance(d, DirectReference)}
    assert commits == {
        "markupsafe": ("vcs", "b36054111bc1e8bbadb5d0d60158feb72926f467", ("main",)),
        "itsdangerous": ("vcs", "de09cad488a4d7c7bbcbcdb8e1c2dfde64325f48", ("dev",)),
    }


def test_the_uv_graph_propagates_groups_to_transitive_packages() -> None:
    found = {str(d.name): d for d in _parse("uvlock", _UV_GROUPED)}
    for (_, name, _), (field, value, _) in DEVIATIONS.items():
        assert getattr(found[normalize(name)], field) == value
    assert found["emoji"].scopes == ("main",)
    assert found["black"].scopes == ("dev", "test")


def test_every_lockfile_extractor_has_fixtures(shared_data: Path) -> None:
    assert shared_data.is_dir()
    assert {extractor for extractor, _, _ in CASES} == set(PARSERS)
