"""`engine.checks`: the notices of what could not be checked, whose license is read from where, and
which dependencies are left alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.assessment import AssessedDependency
from pysteward.engine.checks import (
    MAX_NAMES,
    DependencyChecks,
    check_dependencies,
    gather_index_facts,
    run_sast,
)
from pysteward.engine.health import HealthPolicy
from pysteward.engine.licenses import LicensePolicy
from pysteward.engine.model import (
    DirectReference,
    Location,
    PinnedDependency,
    Platform,
    SourceKind,
    Target,
    UnpinnedDependency,
    normalize,
)
from pysteward.engine.project import ProjectInput
from tests.engine.index.helpers import typed
from tests.engine.test_assess_checks import PACKAGES, go_online, index_files, loopback_only
from tests.httpserver import serve


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    loopback_only(monkeypatch)


ON = date(2026, 11, 22)
TARGET = Target("3.12", Platform.LINUX)
BOTH = DependencyChecks(licenses=LicensePolicy(), health=HealthPolicy())


def pinned(name: str, version: str, path: Path, *, applies: bool = True) -> AssessedDependency:
    dependency = PinnedDependency(
        name=normalize(name),
        display_name=name,
        location=Location(path=path, line=1),
        version=Version(version),
    )
    return AssessedDependency(
        dependency=dependency, applies_to=(TARGET,) if applies else (), all_targets=applies
    )


def facts(monkeypatch: pytest.MonkeyPatch, *names: str) -> DependencyChecks:
    """`BOTH` with the test index's facts about `names`."""
    with serve(index_files()) as server:
        go_online(monkeypatch, typed(server))
        found, notices = gather_index_facts([(n, None) for n in names], offline=False)
    assert notices == ()
    return DependencyChecks(licenses=BOTH.licenses, health=BOTH.health, facts=found)


def test_a_long_list_of_names_is_cut_after_the_first_few(tmp_path: Path) -> None:
    names = [f"package-{n:02}" for n in range(MAX_NAMES + 2)]
    found, notices = gather_index_facts([(n, Version("1.0")) for n in names], offline=True)
    assert found == {}
    (notice,) = notices
    shown = ", ".join(names[:MAX_NAMES])
    assert notice.endswith(f"licenses and health not checked for {shown}, …")
    assert notice.startswith(f"{MAX_NAMES + 2} packages are not in the package-index cache (offline)")


def test_an_index_steward_cannot_read_is_a_notice_not_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "file:///srv/wheelhouse")
    found, notices = gather_index_facts([("calm-lib", Version("1.0.0"))], offline=True)
    assert found == {}
    (notice,) = notices
    assert notice.startswith("licenses and health not checked: the package index file:///srv/wheelhouse")
    assert "set PIP_INDEX_URL" in notice


@pytest.mark.parametrize("file_name", ["METADATA", "PKG-INFO"])
def test_installed_metadata_gives_the_license_even_when_the_index_says_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, file_name: str
) -> None:
    metadata = tmp_path / "gpl_thing-2.0.dist-info" / file_name
    metadata.parent.mkdir()
    metadata.write_text(
        "Metadata-Version: 2.1\nName: gpl-thing\nVersion: 2.0\nLicense: MIT\n", encoding="utf-8"
    )
    checks = facts(monkeypatch, "gpl-thing")
    dependencies, _ = check_dependencies(
        [pinned("gpl-thing", "2.0", metadata)], project(tmp_path), checks, ON
    )
    (judged,) = dependencies
    assert judged.license is not None
    assert (judged.license.expression, judged.license.source) == ("MIT", "metadata")
    assert judged.health is not None  # health still comes from the index
    assert judged.health.yanked


def project(directory: Path) -> ProjectInput:
    return ProjectInput(directory, (), (), detect=False)


def test_a_pin_of_a_version_the_index_has_no_license_for_is_not_judged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    checks = facts(monkeypatch, "calm-lib")
    requirements = tmp_path / "requirements.txt"
    older = pinned("calm-lib", "0.9.0", requirements)
    dependencies, findings = check_dependencies([older], project(tmp_path), checks, ON)
    assert dependencies[0].license is None
    assert dependencies[0].health is not None
    assert findings == []


def test_references_unselected_and_unknown_dependencies_are_left_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    checks = facts(monkeypatch, "gpl-thing", "mystery")
    requirements = tmp_path / "requirements.txt"
    reference = AssessedDependency(
        dependency=DirectReference(
            name=normalize("mystery"),
            display_name="mystery",
            location=Location(path=requirements, line=1),
            kind=SourceKind.URL,
            url="https://git.example.invalid/mystery.whl",
        ),
        applies_to=(TARGET,),
        all_targets=True,
    )
    unselected = pinned("gpl-thing", PACKAGES["gpl-thing"].version, requirements, applies=False)
    unknown = pinned("not-on-the-index", "1.0", requirements)
    given = [reference, unselected, unknown]
    dependencies, findings = check_dependencies(given, project(tmp_path), checks, ON)
    assert dependencies == given
    assert findings == []


def test_an_unpinned_dependency_is_judged_by_the_latest_release(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    checks = facts(monkeypatch, "gpl-thing")
    dependency = UnpinnedDependency(
        name=normalize("gpl-thing"),
        display_name="gpl-thing",
        location=Location(path=tmp_path / "pyproject.toml"),
    )
    assessed = AssessedDependency(dependency=dependency, applies_to=(TARGET,), all_targets=True)
    dependencies, findings = check_dependencies([assessed], project(tmp_path), checks, ON)
    assert dependencies[0].license is not None
    assert dependencies[0].license.expression == "GPL-3.0-only"
    assert findings == []  # no project license, and a version not pinned cannot be yanked


def test_with_no_dependency_check_the_dependencies_come_back_unchanged(tmp_path: Path) -> None:
    given = [pinned("calm-lib", "1.0.0", tmp_path / "requirements.txt")]
    assert check_dependencies(given, project(tmp_path), DependencyChecks(), ON) == (given, [])


def test_static_analysis_needs_to_be_enabled_and_own_sources(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text("import subprocess\nsubprocess.call('ls', shell=True)\n", encoding="utf-8")
    with_sources = ProjectInput(tmp_path, (), (source,), detect=True)
    assert run_sast(with_sources, enabled=False) == ([], ())
    assert run_sast(project(tmp_path), enabled=True) == ([], ())
    findings, notices = run_sast(with_sources, enabled=True)
    assert "B602" in {f.rule for f in findings}
    assert notices == ()
