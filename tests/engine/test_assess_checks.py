"""`assess()` with the license, health and Bandit checks, against a package index on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from pysteward.engine import index as index_package
from pysteward.engine.assess import AssessRequest, assess
from pysteward.engine.assessment import Assessment
from pysteward.engine.checks import Check
from pysteward.engine.config import Config, load_config
from pysteward.engine.findings import HealthFinding, LicenseFinding, SastFinding
from pysteward.engine.licenses import LicenseClass, LicensePolicy, parse_license_policy
from pysteward.engine.vulnerabilities import StaticVulnerabilities
from tests.engine.index.helpers import quick, typed
from tests.httpserver import FixtureServer, serve

ON = date(2026, 11, 22)
ALL = frozenset({Check.LICENSES, Check.HEALTH, Check.SAST})
"""The checks these tests are about (typosquats have their own tests)."""
NO_VULNERABILITIES = StaticVulnerabilities({})
REQUIREMENTS = "calm-lib==1.0.0\ngpl-thing==2.0\nmystery==0.1\n"
APACHE_PYPROJECT = '[project]\nname = "demo"\nversion = "1.0"\nlicense = "Apache-2.0"\n'


@dataclass(frozen=True)
class Package:
    """One project on the test index: its only (and latest) release and what the index says of it."""

    version: str
    uploaded: str
    expression: str | None = None
    yanked: str | None = None
    status: str | None = None


PACKAGES = {
    # Permissive, recent, owned by an organisation: no finding at all.
    "calm-lib": Package("1.0.0", "2026-06-01T10:00:00Z", expression="MIT"),
    # Strong copyleft, and the pinned release was withdrawn.
    "gpl-thing": Package("2.0", "2026-03-01T10:00:00Z", expression="GPL-3.0-only", yanked="broken wheel"),
    # No license data, archived (PEP 792) and without a release for years.
    "mystery": Package("0.1", "2020-01-15T10:00:00Z", status="archived"),
}


def _simple(name: str, package: Package) -> dict[str, object]:
    page: dict[str, object] = {
        "meta": {"api-version": "1.4"},
        "name": name,
        "versions": [package.version],
        "files": [
            {
                "filename": f"{name.replace('-', '_')}-{package.version}-py3-none-any.whl",
                "url": f"https://files.index.invalid/{name}.whl",
                "hashes": {},
                "upload-time": package.uploaded,
                "yanked": package.yanked or False,
            }
        ],
    }
    if package.status is not None:
        page["project-status"] = {"status": package.status, "reason": "moved elsewhere"}
    return page


def _api(name: str, package: Package) -> dict[str, object]:
    release = {
        "filename": f"{name.replace('-', '_')}-{package.version}-py3-none-any.whl",
        "upload_time_iso_8601": package.uploaded,
        "yanked": package.yanked is not None,
        "yanked_reason": package.yanked,
    }
    return {
        "info": {
            "name": name,
            "version": package.version,
            "license_expression": package.expression,
            "license": None,
            "classifiers": [],
        },
        "releases": {package.version: [release]},
        "ownership": {"roles": [{"role": "Owner", "user": "someone"}], "organization": "an-org"},
    }


def index_files(packages: dict[str, Package] | None = None) -> dict[str, bytes]:
    """URL path → body: each package's PEP 691 page and JSON API document."""
    files = {}
    for name, package in (packages or PACKAGES).items():
        files[f"/simple/{name}/"] = json.dumps(_simple(name, package)).encode()
        files[f"/pypi/{name}/json"] = json.dumps(_api(name, package)).encode()
    return files


UNREACHABLE_INDEX = "http://127.0.0.1:9/simple"
"""The discard port: offline tests name an index (the cache is keyed by it) that nothing answers."""


def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the developer's pip configuration nor their index variables reach the test."""
    for variable in ("UV_INDEX_URL", "UV_DEFAULT_INDEX"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", UNREACHABLE_INDEX)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    loopback_only(monkeypatch)


def go_online(monkeypatch: pytest.MonkeyPatch, server: FixtureServer) -> None:
    """Send every look-up to `server` (and nowhere else), with retries that do not sleep."""
    monkeypatch.setenv("STEWARD_OFFLINE", "0")
    monkeypatch.setenv("PIP_INDEX_URL", server.url("/simple"))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    fetch = functools.partial(index_package.fetch_projects, options=quick())
    monkeypatch.setattr(index_package, "fetch_projects", fetch)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureServer]:
    """The test index with `PACKAGES`, as pip would find it."""
    with serve(index_files()) as running:
        go_online(monkeypatch, typed(running))
        yield running


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def project(root: Path, **extra: str) -> Path:
    """A project pinning the three test packages, licensed Apache-2.0 unless `extra` says otherwise."""
    return write(root, {"requirements.txt": REQUIREMENTS, "pyproject.toml": APACHE_PYPROJECT, **extra})


def run(
    *paths: Path,
    config: Config | None = None,
    checks: frozenset[Check] = ALL,
    offline: bool = False,
    environments: tuple[Path, ...] = (),
) -> Assessment:
    request = AssessRequest(
        paths=paths,
        environments=environments,
        config=config or Config(),
        on=ON,
        checks=checks,
        offline=offline,
    )
    return assess(request, database=NO_VULNERABILITIES)


def rules(assessment: Assessment) -> dict[str, set[str]]:
    """License and health rules found, by package."""
    found: dict[str, set[str]] = {}
    for project_assessment in assessment.projects:
        for finding in project_assessment.findings:
            if isinstance(finding, LicenseFinding | HealthFinding):
                found.setdefault(finding.package, set()).add(finding.rule)
    return found


def verdicts(assessment: Assessment) -> dict[str, tuple[str, LicenseClass, str]]:
    """(expression, class, source) of every dependency whose license was judged."""
    return {
        a.dependency.name: (a.license.expression, a.license.license_class, a.license.source)
        for p in assessment.projects
        for a in p.dependencies
        if a.license is not None
    }


EXPECTED = {
    "gpl-thing": {"steward/license-incompatible", "steward/health-yanked"},
    "mystery": {"steward/license-unknown", "steward/health-archived", "steward/health-stale"},
}


def test_it_judges_licenses_and_health_from_the_package_index(server: FixtureServer, tmp_path: Path) -> None:
    assessment = run(project(tmp_path))
    assert rules(assessment) == EXPECTED
    assert verdicts(assessment) == {
        "calm-lib": ("MIT", LicenseClass.PERMISSIVE, "index"),
        "gpl-thing": ("GPL-3.0-only", LicenseClass.STRONG_COPYLEFT, "index"),
        "mystery": ("", LicenseClass.UNKNOWN, "index"),
    }
    health = {str(a.dependency.name): a.health for a in assessment.projects[0].dependencies}
    assert health["gpl-thing"] is not None
    assert health["gpl-thing"].yanked
    assert health["gpl-thing"].yanked_reason == "broken wheel"
    assert health["mystery"] is not None
    assert health["mystery"].last_release == date(2020, 1, 15)
    assert assessment.warnings == ()
    incompatible = next(
        f for f in assessment.projects[0].findings if f.rule == "steward/license-incompatible"
    )
    assert "incompatible with the project's Apache-2.0" in incompatible.title
    assert incompatible.locations[0].path == tmp_path / "requirements.txt"
    assert incompatible.locations[0].line == 2
    assert {path.split("/")[1] for path in server.paths()} == {"simple", "pypi"}


def test_a_library_caller_gets_no_checks_and_no_look_ups_unless_it_asks(
    server: FixtureServer, tmp_path: Path
) -> None:
    assessment = assess(AssessRequest(paths=(project(tmp_path),), on=ON), database=NO_VULNERABILITIES)
    assert rules(assessment) == {}
    assert verdicts(assessment) == {}
    assert server.requests == []


def test_license_checks_alone_attach_no_health_and_health_alone_no_license(
    server: FixtureServer, tmp_path: Path
) -> None:
    licenses_only = run(project(tmp_path), checks=frozenset({Check.LICENSES}))
    assert rules(licenses_only) == {
        "gpl-thing": {"steward/license-incompatible"},
        "mystery": {"steward/license-unknown"},
    }
    assert all(a.health is None for a in licenses_only.projects[0].dependencies)
    health_only = run(tmp_path, checks=frozenset({Check.HEALTH}))
    assert rules(health_only) == {
        "gpl-thing": {"steward/health-yanked"},
        "mystery": {"steward/health-archived", "steward/health-stale"},
    }
    assert verdicts(health_only) == {}


def test_offline_with_an_empty_cache_it_says_what_was_not_checked(tmp_path: Path) -> None:
    with serve(index_files()) as running:
        assessment = run(project(tmp_path), offline=True)
        assert running.requests == []
    assert rules(assessment) == {}
    assert verdicts(assessment) == {}
    assert assessment.warnings == (
        "3 packages are not in the package-index cache (offline): licenses and health not checked "
        "for calm-lib, gpl-thing, mystery",
    )
    single = write(tmp_path / "single", {"requirements.txt": "calm-lib==1.0.0\n"})
    assert run(single, offline=True).warnings == (
        "1 package is not in the package-index cache (offline): licenses and health not checked for calm-lib",
    )


def test_offline_after_an_online_run_gives_the_same_findings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = project(tmp_path)
    with serve(index_files()) as running:
        go_online(monkeypatch, typed(running))
        online = run(root)
    # The server is gone: only the cache can answer now.
    offline = run(root, offline=True)
    assert rules(offline) == rules(online) == EXPECTED
    assert verdicts(offline) == verdicts(online)
    assert offline.warnings == ()


def test_a_failing_index_is_a_notice_and_the_other_packages_are_still_checked(
    server: FixtureServer, tmp_path: Path
) -> None:
    server.status_overrides["/simple/mystery/"] = 500
    assessment = run(project(tmp_path))
    assert rules(assessment) == {"gpl-thing": EXPECTED["gpl-thing"]}
    (notice,) = assessment.warnings
    assert notice.startswith("the package index could not be read for 1 package(s) (")
    assert "500" in notice
    assert notice.endswith("); licenses and health not checked for mystery")
    assert server.paths().count("/simple/mystery/") == 3  # quick() allows three attempts


def test_a_project_missing_from_the_index_is_a_notice(server: FixtureServer, tmp_path: Path) -> None:
    del server.files["/simple/mystery/"]
    assessment = run(project(tmp_path))
    assert "mystery" not in rules(assessment)
    assert "mystery" not in verdicts(assessment)
    assert assessment.warnings == (f"1 package is not on the package index {server.url('/simple')}: mystery",)


def test_a_configured_project_license_wins_over_the_declared_one(
    server: FixtureServer, tmp_path: Path
) -> None:
    steward_toml = '[licenses]\nproject-license = "GPL-3.0-or-later"\n'
    root = project(tmp_path, **{"steward.toml": steward_toml})
    assessment = run(root, config=load_config(root / "steward.toml"))
    assert rules(assessment) == {
        "gpl-thing": {"steward/health-yanked"},
        "mystery": EXPECTED["mystery"],
    }


@pytest.mark.parametrize(
    "pyproject",
    [
        '[project]\nname = "demo"\nversion = "1.0"\n',
        '[project]\nname = "demo"\nversion = "1.0"\nlicense = {text = "All rights reserved, Example Ltd"}\n',
    ],
    ids=["no-license", "not-spdx"],
)
def test_without_an_spdx_project_license_there_is_no_compatibility_check(
    server: FixtureServer, tmp_path: Path, pyproject: str
) -> None:
    assessment = run(project(tmp_path, **{"pyproject.toml": pyproject}))
    assert rules(assessment)["gpl-thing"] == {"steward/health-yanked"}
    assert verdicts(assessment)["gpl-thing"][1] is LicenseClass.STRONG_COPYLEFT


def installed(root: Path, metadata: str) -> Path:
    """A fake virtual environment's site-packages with calm-lib 1.0.0 installed."""
    site = root / "venv" / "lib" / "python3.12" / "site-packages"
    write(site, {"calm_lib-1.0.0.dist-info/METADATA": metadata})
    return site


MIT_METADATA = "Metadata-Version: 2.4\nName: calm-lib\nVersion: 1.0.0\nLicense-Expression: MIT\n"


def test_an_installed_dependency_takes_its_license_from_its_metadata(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The index claims GPL for calm-lib: the installed METADATA must win.
    gpl = {"calm-lib": Package("1.0.0", "2026-06-01T10:00:00Z", expression="GPL-3.0-only")}
    site = installed(tmp_path, MIT_METADATA)
    config = Config(license_policy=load_policy('project-license = "Apache-2.0"'))
    with serve(index_files(gpl)) as running:
        go_online(monkeypatch, typed(running))
        assessment = run(environments=(site,), config=config)
    assert verdicts(assessment) == {"calm-lib": ("MIT", LicenseClass.PERMISSIVE, "metadata")}
    assert rules(assessment) == {}
    assert not any(path.endswith("/1.0.0/json") for path in running.paths())


def test_an_installed_dependency_is_judged_offline_with_an_empty_cache(tmp_path: Path) -> None:
    site = installed(tmp_path, MIT_METADATA)
    assessment = run(environments=(site,), offline=True)
    assert verdicts(assessment) == {"calm-lib": ("MIT", LicenseClass.PERMISSIVE, "metadata")}
    assert rules(assessment) == {}
    assert assessment.warnings == (
        "1 package is not in the package-index cache (offline): licenses and health not checked for calm-lib",
    )


def load_policy(body: str) -> LicensePolicy:
    return parse_license_policy(tomllib.loads(body))


def test_configured_policies_reach_the_checks(server: FixtureServer, tmp_path: Path) -> None:
    steward_toml = '[licenses]\ndeny = ["MIT"]\n\n[health]\nstale-months = 1\n'
    root = project(tmp_path, **{"steward.toml": steward_toml})
    assessment = run(root, config=load_config(root / "steward.toml"))
    assert rules(assessment)["calm-lib"] == {"steward/license-denied", "steward/health-stale"}
    denied = next(f for f in assessment.projects[0].findings if f.rule == "steward/license-denied")
    assert "deny list: MIT" in denied.title


SHELL_CALL = "import subprocess\n\n\ndef run(command):\n    return subprocess.call(command, shell=True)\n"


def test_bandit_runs_on_the_projects_own_code_only_when_asked(tmp_path: Path) -> None:
    root = write(tmp_path, {"requirements.txt": "", "app.py": SHELL_CALL, "legacy.py": 'print "hello"\n'})
    with_sast = run(root, checks=frozenset({Check.SAST}), offline=True)
    sast = {f.rule: f for f in with_sast.projects[0].findings if isinstance(f, SastFinding)}
    finding = sast["B602"]  # subprocess call with shell=True
    assert finding.locations[0].path == root / "app.py"
    assert finding.locations[0].line == 5
    assert any(w.startswith("static analysis skipped legacy.py") for w in with_sast.projects[0].warnings)
    without = run(root, checks=frozenset({Check.LICENSES, Check.HEALTH}), offline=True)
    assert not any(isinstance(f, SastFinding) for f in without.projects[0].findings)
    assert not any("static analysis" in w for w in without.projects[0].warnings)
