"""Planning: the lowest safe version of each vulnerable pin, checked against the database again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.advisories import AdvisoryDatabase, MemoryAdvisories
from pysteward.engine.assess import AssessRequest, assess
from pysteward.engine.assessment import Assessment
from pysteward.engine.config import Config, Ignore
from pysteward.engine.fixes import (
    Action,
    FixPlan,
    Unfixable,
    candidate_versions,
    crosses_major,
    lowest_safe_version,
    plan_fixes,
)
from pysteward.engine.model import Location
from pysteward.engine.vulnerabilities import AdvisoryDatabaseSource
from tests.engine.fixes.records import advisories, build_database

ON = date(2026, 11, 22)
MEMORY = MemoryAdvisories(advisories())


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> AdvisoryDatabase:
    return AdvisoryDatabase(build_database(tmp_path_factory.mktemp("fix-db")))


def assessed(
    root: Path, database: AdvisoryDatabase, files: dict[str, str], config: Config | None = None
) -> Assessment:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    request = AssessRequest(paths=(root,), config=config or Config(), on=ON)
    return assess(request, database=AdvisoryDatabaseSource(database))


def safe(name: str, current: str, **kwargs: object) -> Version | None:
    return lowest_safe_version(NormalizedName(name), Version(current), MEMORY, **kwargs)  # type: ignore[arg-type]


def test_it_chooses_the_lowest_safe_version_over_a_higher_one() -> None:
    assert safe("alpha", "1.1.0") == Version("1.2.0")
    assert safe("alpha", "2.0.5") == Version("2.1.0")


def test_it_skips_a_fix_version_that_is_itself_vulnerable() -> None:
    assert safe("beta", "1.4") == Version("1.6")


def test_an_ignored_vulnerability_does_not_disqualify_a_candidate() -> None:
    assert safe("beta", "1.4", ignored={"CVE-2099-9103"}) == Version("1.5")


def test_it_knows_no_safe_version_when_every_candidate_is_affected() -> None:
    assert safe("delta", "1.0") is None
    assert safe("theta", "1.0") is None


def test_candidates_are_fixes_and_listed_versions_at_or_above_the_current_one() -> None:
    theta = candidate_versions(NormalizedName("theta"), Version("0.9"), advisories())
    assert theta == [Version("0.9"), Version("1.0"), Version("1.1")]
    alpha = candidate_versions(NormalizedName("alpha"), Version("1.5"), advisories())
    assert alpha == [Version("1.5"), Version("2.1.0")]


def test_candidates_skip_pre_releases_unless_the_current_version_is_one() -> None:
    name = NormalizedName("epsilon")
    assert candidate_versions(name, Version("1.0"), advisories()) == [Version("1.0"), Version("2.0")]
    assert safe("epsilon", "1.0") == Version("2.0")
    with_pre = candidate_versions(name, Version("2.0b1"), advisories())
    assert with_pre == [Version("2.0b1"), Version("2.0rc1"), Version("2.0")]


@pytest.mark.parametrize(
    ("current", "target", "crosses"),
    [
        ("2.9", "3.0.0", True),
        ("2.9", "2.10", False),
        ("0.4.1", "0.5.0", True),
        ("0.4.1", "0.4.2", False),
        ("0.9", "1.0", True),
    ],
)
def test_it_tells_when_an_upgrade_crosses_a_major_version(current: str, target: str, crosses: bool) -> None:
    assert crosses_major(Version(current), Version(target)) is crosses


def test_it_plans_upgrades_with_locations_and_warnings_from_an_assessment(
    tmp_path: Path, database: AdvisoryDatabase
) -> None:
    text = "Alpha==1.1.0\nbeta==1.4\ngamma==2.9\ndelta==1.0\nrequests>=2.0\n"  # requests: unpinned
    plan = plan_fixes(assessed(tmp_path, database, {"requirements.txt": text}), database)
    summary = [
        (u.display_name, str(u.current), str(u.target), u.clears, u.crosses_major) for u in plan.upgrades
    ]
    assert summary == [
        ("Alpha", "1.1.0", "1.2.0", ("PYSEC-2099-101",), False),
        ("beta", "1.4", "1.6", ("PYSEC-2099-102",), False),
        ("gamma", "2.9", "3.0.0", ("PYSEC-2099-104",), True),
    ]
    assert plan.upgrades[0].locations == (Location(tmp_path / "requirements.txt", 1),)
    assert [f.action for f in plan.upgrades[0].files] == [Action.REWRITE]
    assert plan.unfixable == (Unfixable(NormalizedName("delta"), Version("1.0"), ("PYSEC-2099-105",)),)
    assert plan.notes == (
        "delta 1.0: no safe version known (PYSEC-2099-105)",
        "gamma 2.9 -> 3.0.0 crosses a major version; check its changelog",
    )
    assert not plan.empty


def test_one_upgrade_lists_every_file_that_pins_the_version(
    tmp_path: Path, database: AdvisoryDatabase
) -> None:
    lock = (
        'version = 1\nrequires-python = ">=3.11"\n\n[[package]]\nname = "alpha"\nversion = "1.1.0"\n'
        'source = { registry = "https://index.invalid/simple" }\n'
    )
    files = {"requirements.txt": "-r base.txt\n", "base.txt": "alpha==1.1.0\n", "uv.lock": lock}
    [upgrade] = plan_fixes(assessed(tmp_path, database, files), database).upgrades
    by_kind = {f.kind: f for f in upgrade.files}
    assert by_kind["requirements"].location == Location(tmp_path / "base.txt", 1)
    assert by_kind["uv.lock"].command == "uv lock --upgrade-package alpha==1.2.0"


def test_ignored_findings_need_no_fix(tmp_path: Path, database: AdvisoryDatabase) -> None:
    config = Config(ignores=(Ignore(id="CVE-2099-9101", reason="not reachable"),))
    result = assessed(tmp_path, database, {"requirements.txt": "alpha==1.1.0\n"}, config)
    assert plan_fixes(result, database) == FixPlan()
    assert FixPlan().empty
