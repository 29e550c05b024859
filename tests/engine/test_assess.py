"""`assess()`: from paths to an `Assessment`, against a small advisory database built from OSV records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.advisories import DatabaseMissingError, import_advisories
from pysteward.engine.assess import AssessRequest, assess, settings_for
from pysteward.engine.assessment import Assessment, DatabaseInfo, FailOn
from pysteward.engine.config import Config, Ignore
from pysteward.engine.findings import (
    ExpiredIgnoreFinding,
    UnpinnedFinding,
    UnresolvableFinding,
    VulnerabilityFinding,
)
from pysteward.engine.model import Location, Platform, Severity, Target, normalize
from pysteward.engine.vulnerabilities import StaticVulnerabilities
from pysteward.errors import InputError, InputErrors

ON = date(2026, 11, 22)
OSV = Path(__file__).resolve().parent / "assets" / "osv"
INDEX = "https://index.invalid/simple"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("advisories") / "advisories.sqlite3"
    import_advisories(OSV, path)
    return path


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def uv_lock(*pins: tuple[str, str]) -> str:
    tables = [
        f'[[package]]\nname = "{name}"\nversion = "{version}"\nsource = {{ registry = "{INDEX}" }}\n'
        for name, version in pins
    ]
    return 'version = 1\nrequires-python = ">=3.11"\n\n' + "\n".join(tables)


def run(database: Path, *paths: Path, config: Config | None = None, **request: object) -> Assessment:
    return assess(
        AssessRequest(paths=paths, config=config or Config(), on=ON, **request),  # type: ignore[arg-type]
        database=database,
    )


def vulnerabilities(assessment: Assessment) -> list[VulnerabilityFinding]:
    return [f for _, f in assessment.findings() if isinstance(f, VulnerabilityFinding)]


def test_it_reports_a_vulnerability_with_its_aliases_fix_and_cvss_severity(
    tmp_path: Path, database: Path
) -> None:
    write(tmp_path, {"requirements.txt": "Django==4.2.11\n"})
    [finding] = vulnerabilities(run(database, tmp_path))
    assert finding.vulnerability_id == "PYSEC-2099-1"
    assert finding.ids == {"PYSEC-2099-1", "CVE-2099-1001", "GHSA-dj11-aaaa-0001"}
    assert finding.fix_versions == (Version("4.2.12"),)
    assert (finding.severity, finding.score) == (Severity.HIGH, 7.5)
    assert finding.title == "Django 4.2.11: PYSEC-2099-1; fixed in 4.2.12"
    assert finding.locations == (Location(tmp_path / "requirements.txt", 1),)


def test_it_merges_the_locations_of_one_version_pinned_by_a_requirements_file_and_a_lockfile(
    tmp_path: Path, database: Path
) -> None:
    write(tmp_path, {"requirements.txt": "django==4.2.11\n", "uv.lock": uv_lock(("django", "4.2.11"))})
    [finding] = vulnerabilities(run(database, tmp_path))
    assert [location.path.name for location in finding.locations] == ["requirements.txt", "uv.lock"]


def test_it_matches_a_local_version_on_its_public_version(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "torch==1.8.0+cpu\n"})
    [finding] = vulnerabilities(run(database, tmp_path))
    assert (finding.vulnerability_id, finding.version) == ("PYSEC-2099-7", Version("1.8.0+cpu"))


def test_it_labels_a_malicious_package_and_says_when_no_fix_exists(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "evil-pkg==1.0\n"})
    [finding] = vulnerabilities(run(database, tmp_path))
    assert finding.severity is Severity.MALICIOUS
    assert finding.kind == "malicious"
    assert finding.title == "evil-pkg 1.0: malicious package; no fix released"


def test_a_manifest_entry_pinned_by_the_lockfile_is_locked_and_not_reported_as_unpinned(
    tmp_path: Path, database: Path
) -> None:
    pyproject = """\
[project]
name = "demo"
version = "1.0"
requires-python = ">=3.11"
dependencies = [
    "django>=4",
    "requests",
    "attrs>=23,<25",
    "vendored @ git+https://git.invalid/vendored.git@v1",
]
"""
    write(tmp_path, {"pyproject.toml": pyproject, "uv.lock": uv_lock(("django", "4.2.11"))})
    [project] = run(database, tmp_path).projects
    by_name = {
        d.dependency.name: d for d in project.dependencies if d.dependency.location.path.name != "uv.lock"
    }
    assert by_name[normalize("django")].locked
    assert not by_name[normalize("requests")].locked
    unpinned = {f.dependency.name: f.title for f in project.findings if isinstance(f, UnpinnedFinding)}
    assert unpinned == {
        "requests": "requests: unpinned (any version); no lockfile pins it",
        "attrs": "attrs<25,>=23: unpinned (<25,>=23); no lockfile pins it",
    }
    [unresolvable] = [f for f in project.findings if isinstance(f, UnresolvableFinding)]
    assert "git+https://git.invalid/vendored.git@v1" in unresolvable.title
    assert unresolvable.severity is Severity.INFO
    assert [f.vulnerability_id for f in vulnerabilities(run(database, tmp_path))] == ["PYSEC-2099-1"]


def test_a_dependency_whose_marker_excludes_every_target_gives_no_finding(
    tmp_path: Path, database: Path
) -> None:
    write(
        tmp_path,
        {"requirements.txt": 'django==4.2.11 ; python_version < "3"\nrequests>2 ; os_name == "java"\n'},
    )
    assessment = run(database, tmp_path)
    assert vulnerabilities(assessment) == []
    [project] = assessment.projects
    assert project.findings == ()
    assert all(d.applies_to == () and not d.all_targets for d in project.dependencies)


def test_a_windows_only_dependency_applies_to_windows_targets_only(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": 'pywin32==300 ; sys_platform == "win32"\n'})
    config = Config(python_versions=("3.12", "3.13"))
    [project] = run(database, tmp_path, config=config).projects
    [dependency] = project.dependencies
    assert dependency.applies_to == (Target("3.12", Platform.WINDOWS), Target("3.13", Platform.WINDOWS))
    assert not dependency.all_targets
    assert [v.vulnerability_id for v in dependency.vulnerabilities] == ["PYSEC-2099-10"]
    assert len(project.targets) == 6


def test_an_extra_marker_applies_only_when_the_dependency_names_that_extra(
    tmp_path: Path, database: Path
) -> None:
    write(tmp_path, {"requirements.txt": 'six[x]==1.16.0 ; extra == "x"\npyyaml==6.0.1 ; extra == "y"\n'})
    found = {f.package for f in vulnerabilities(run(database, tmp_path))}
    assert found == {"six"}


def test_a_file_read_directly_and_through_an_include_counts_once(tmp_path: Path, database: Path) -> None:
    write(
        tmp_path,
        {"requirements.txt": "-r base.txt\n", "requirements-base.txt": "", "base.txt": "six==1.16.0\n"},
    )
    [project] = run(database, tmp_path / "requirements.txt", tmp_path / "base.txt").projects
    assert [d.dependency.name for d in project.dependencies] == ["six"]


def test_an_ignore_by_alias_moves_the_finding_to_ignored_with_its_reason(
    tmp_path: Path, database: Path
) -> None:
    write(tmp_path, {"requirements.txt": "django==4.2.11\nsix==1.16.0\n"})
    config = Config(ignores=(Ignore(id="GHSA-dj11-aaaa-0001", reason="not reachable"),))
    assessment = run(database, tmp_path, config=config)
    [project] = assessment.projects
    assert [f.vulnerability_id for f in vulnerabilities(assessment)] == ["PYSEC-2099-4"]
    [ignored] = project.ignored
    assert (ignored.rule_id, ignored.reason, ignored.until) == ("GHSA-dj11-aaaa-0001", "not reachable", None)
    assert isinstance(ignored.finding, VulnerabilityFinding)
    assert ignored.finding.vulnerability_id == "PYSEC-2099-1"
    django = next(d for d in project.dependencies if d.dependency.name == "django")
    six = next(d for d in project.dependencies if d.dependency.name == "six")
    assert django.vulnerabilities == ()
    assert len(six.vulnerabilities) == 1
    assert assessment.warnings == ()


def test_an_ignore_by_rule_hides_an_unpinned_finding(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "requests\n"})
    config = Config(ignores=(Ignore(id="steward/unpinned", reason="pinned at deploy time"),))
    [project] = run(database, tmp_path, config=config).projects
    assert project.findings == ()
    assert [i.rule_id for i in project.ignored] == ["steward/unpinned"]


def test_an_expired_ignore_stops_applying_and_is_reported(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "django==4.2.11\n"})
    until = date(2026, 11, 21)
    config = Config(ignores=(Ignore(id="CVE-2099-1001", reason="waiting for 4.2.12", until=until),))
    assessment = run(database, tmp_path, config=config)
    [project] = assessment.projects
    assert project.ignored == ()
    assert [f.vulnerability_id for f in vulnerabilities(assessment)] == ["PYSEC-2099-1"]
    [expired] = [f for f in project.findings if isinstance(f, ExpiredIgnoreFinding)]
    assert (expired.ignored_id, expired.until, expired.reason) == (
        "CVE-2099-1001",
        until,
        "waiting for 4.2.12",
    )
    assert expired.title == "ignore for CVE-2099-1001 expired on 2026-11-21; it no longer applies"
    assert assessment.warnings == ()


def test_an_ignore_is_still_applied_on_its_until_date(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "django==4.2.11\n"})
    config = Config(ignores=(Ignore(id="PYSEC-2099-1", reason="r", until=ON),))
    [project] = run(database, tmp_path, config=config).projects
    assert [i.until for i in project.ignored] == [ON]


def test_an_unused_ignore_gives_a_warning_but_an_expired_unused_one_does_not(
    tmp_path: Path, database: Path
) -> None:
    write(tmp_path, {"requirements.txt": "six==1.16.0\n"})
    source = tmp_path / "steward.toml"
    config = Config(
        ignores=(
            Ignore(id="PYSEC-2000-1", reason="old"),
            Ignore(id="PYSEC-2000-2", reason="older", until=date(2020, 1, 1)),
        ),
        source=source,
    )
    assessment = run(database, tmp_path, config=config)
    assert assessment.warnings == (f"ignore PYSEC-2000-1 matched no finding; remove it from {source}",)


def test_every_input_problem_is_reported_together(tmp_path: Path, database: Path) -> None:
    write(
        tmp_path, {"a/requirements.txt": "django==\n", "b/uv.lock": "version = [\n", "c/pyproject.toml": "x"}
    )
    with pytest.raises(InputErrors) as caught:
        run(database, tmp_path)
    where = sorted(
        Path(e.path or "").parent.name for e in caught.value.exceptions if isinstance(e, InputError)
    )
    assert where == ["a", "b", "c"]


def test_a_single_input_problem_is_raised_alone_with_its_line(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.16.0\nnot a requirement!\n"})
    with pytest.raises(InputError) as caught:
        run(database, tmp_path)
    assert not isinstance(caught.value, InputErrors)
    assert str(caught.value).startswith(f"{tmp_path / 'requirements.txt'}:2: ")


def test_a_missing_path_is_an_input_error(tmp_path: Path, database: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        run(database, tmp_path / "missing")


def test_a_directory_without_manifests_is_an_input_error_naming_it(tmp_path: Path, database: Path) -> None:
    with pytest.raises(InputError, match="no manifest, lockfile or requirements file found") as caught:
        run(database, tmp_path)
    assert caught.value.path == str(tmp_path)


def test_an_empty_request_is_an_input_error_without_a_path(database: Path) -> None:
    with pytest.raises(InputError) as caught:
        assess(AssessRequest(on=ON), database=database)
    assert caught.value.path is None


def test_a_missing_database_is_an_operational_error_naming_the_update_command(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.16.0\n"})
    with pytest.raises(DatabaseMissingError) as caught:
        run(tmp_path / "none.sqlite3", tmp_path)
    assert caught.value.exit_code == 3
    assert "steward db update" in (caught.value.hint or "")


def test_it_accepts_any_vulnerability_source_and_reports_its_info(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.16.0\n"})
    info = DatabaseInfo(source="fake", records=0, newest_modified=None, imported_at=None)
    assessment = assess(AssessRequest(paths=(tmp_path,), on=ON), database=StaticVulnerabilities({}, info))
    assert assessment.database == info
    assert vulnerabilities(assessment) == []
    assert run(database, tmp_path).database is not None


def test_requirements_and_environments_are_assessed_without_paths(tmp_path: Path, database: Path) -> None:
    requirements = write(tmp_path, {"reqs/deps.txt": "six==1.16.0\n"}) / "reqs" / "deps.txt"
    venv = tmp_path / "venv"
    dist = venv / "lib" / "python3.12" / "site-packages" / "pyyaml-6.0.1.dist-info"
    dist.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.1\n", encoding="utf-8")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0.1\n", encoding="utf-8")
    assessment = run(database, requirements=(requirements,), environments=(venv,))
    assert assessment.root == Path()
    assert {f.package for f in vulnerabilities(assessment)} == {"six", "pyyaml"}
    env_project = next(p for p in assessment.projects if p.path == venv)
    assert [r.python for r in env_project.runtimes] == ["3.12"]


def test_a_broken_environment_is_reported_with_the_other_problems(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==\n"})
    with pytest.raises(InputErrors) as caught:
        run(database, tmp_path, environments=(tmp_path / "not-a-venv",))
    assert len(caught.value.exceptions) == 2


def test_a_directory_and_a_file_in_it_are_one_project(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.16.0\n", "prod.lock": uv_lock(("pyyaml", "6.0.1"))})
    assessment = run(database, tmp_path, tmp_path / "prod.lock", tmp_path / "requirements.txt")
    [project] = assessment.projects
    assert sorted(m.path.name for m in project.manifests) == ["prod.lock", "requirements.txt"]
    assert assessment.root == tmp_path


def test_the_root_is_the_directory_of_a_file_given_first(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==1.16.0\n"})
    assert run(database, tmp_path / "requirements.txt").root == tmp_path


def test_settings_come_from_the_file_next_to_the_first_path_with_options_on_top(tmp_path: Path) -> None:
    write(tmp_path, {"steward.toml": 'fail-on = "high"\neol-warning-days = 30\n', "requirements.txt": ""})
    from_dir = settings_for(
        paths=[tmp_path], config_path=None, fail_on=None, pythons=[], eol_warning_days=None
    )
    assert (from_dir.fail_on, from_dir.eol_warning_days, from_dir.source) == (
        FailOn.HIGH,
        30,
        tmp_path / "steward.toml",
    )
    overridden = settings_for(
        paths=[tmp_path / "requirements.txt"],
        config_path=None,
        fail_on="never",
        pythons=["3.12.4", " 3.13 "],
        eol_warning_days=7,
    )
    assert (overridden.fail_on, overridden.python_versions, overridden.eol_warning_days) == (
        FailOn.NEVER,
        ("3.12", "3.13"),
        7,
    )
    assert (
        settings_for(paths=[], config_path=None, fail_on=None, pythons=[], eol_warning_days=None) == Config()
    )


@pytest.mark.parametrize("text", ["3", "three.twelve", "3.x", ""])
def test_a_python_option_that_is_not_a_minor_version_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match=r"expected a version such as 3\.12"):
        settings_for(paths=[], config_path=None, fail_on=None, pythons=[text], eol_warning_days=None)


def test_every_bad_line_of_one_file_is_reported(tmp_path: Path, database: Path) -> None:
    write(tmp_path, {"requirements.txt": "six==\nok==1.0\ndjango>=<\n"})
    with pytest.raises(InputErrors) as caught:
        run(database, tmp_path)
    assert [(e.line, e.path) for e in caught.value.exceptions if isinstance(e, InputError)] == [
        (1, str(tmp_path / "requirements.txt")),
        (3, str(tmp_path / "requirements.txt")),
    ]


def test_odd_requirements_are_unpinned_or_direct_references_of_the_right_kind(
    tmp_path: Path, database: Path
) -> None:
    write(
        tmp_path,
        {"requirements.txt": "odd===not-a-version\nlocal @ file:///srv/local-1.0.tar.gz\nsix==1.16.0\n"},
    )
    [project] = run(database, tmp_path, config=Config(fail_on=FailOn.INFO)).projects
    kinds = {f.title.split(":")[0].split(" ")[0]: f.kind for f in project.findings}
    assert kinds == {"odd===not-a-version": "unpinned", "local": "unresolvable", "six": "vulnerability"}
    [reference] = [f for f in project.findings if isinstance(f, UnresolvableFinding)]
    assert reference.title.startswith("local: path reference")
