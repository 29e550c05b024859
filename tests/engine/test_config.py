"""Configuration files: `[tool.steward]` in pyproject.toml, or steward.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pysteward.engine.assessment import FailOn
from pysteward.engine.config import (
    DEFAULT_EOL_WARNING_DAYS,
    Config,
    ConfigError,
    Ignore,
    find_config_file,
    load_config,
)
from pysteward.engine.model import Platform
from pysteward.errors import InputError

FULL = """\
fail-on = "high"
eol-warning-days = 90
python-versions = ["3.11", "3.12"]
platforms = ["linux"]

[[ignore]]
id = "GHSA-aaaa-bbbb-cccc"
reason = "  not reachable  "
until = 2027-01-31

[[ignore]]
id = "PYSEC-2099-1"
reason = "quoted date"
until = "2027-02-01"

[[ignore]]
id = "CVE-2099-1"
reason = "forever"
"""


def test_it_reads_every_setting_of_a_steward_toml(tmp_path: Path) -> None:
    path = tmp_path / "steward.toml"
    path.write_text(FULL, encoding="utf-8")
    config = load_config(path)
    assert config == Config(
        fail_on=FailOn.HIGH,
        eol_warning_days=90,
        python_versions=("3.11", "3.12"),
        platforms=(Platform.LINUX,),
        ignores=(
            Ignore(id="GHSA-aaaa-bbbb-cccc", reason="not reachable", until=date(2027, 1, 31), line=7),
            Ignore(id="PYSEC-2099-1", reason="quoted date", until=date(2027, 2, 1), line=12),
            Ignore(id="CVE-2099-1", reason="forever", until=None, line=17),
        ),
        source=path,
    )


def test_it_reads_the_tool_steward_table_of_a_pyproject(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "x"\n\n[tool.steward]\nfail-on = "critical"\n\n'
        '[[tool.steward.ignore]]\nid = "X-1"\nreason = "r"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert (config.fail_on, [i.id for i in config.ignores], config.source) == (FailOn.CRITICAL, ["X-1"], path)
    assert config.platforms == tuple(Platform)


def test_a_pyproject_without_the_table_gives_the_defaults_from_that_file(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n', encoding="utf-8")
    config = load_config(path)
    assert (config.fail_on, config.eol_warning_days, config.source) == (
        FailOn.VULNERABILITY,
        DEFAULT_EOL_WARNING_DAYS,
        path,
    )


def test_no_file_gives_the_defaults() -> None:
    assert load_config(None) == Config()


def test_steward_toml_wins_over_pyproject_and_a_pyproject_needs_the_table(tmp_path: Path) -> None:
    assert find_config_file(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_config_file(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[tool.steward]\nfail-on = "low"\n', encoding="utf-8")
    assert find_config_file(tmp_path) == tmp_path / "pyproject.toml"
    (tmp_path / "steward.toml").write_text("", encoding="utf-8")
    assert find_config_file(tmp_path) == tmp_path / "steward.toml"


def test_an_ignore_applies_through_its_until_date_and_stops_the_day_after() -> None:
    ignore = Ignore(id="X", reason="r", until=date(2027, 1, 31))
    assert not ignore.expired(date(2027, 1, 31))
    assert ignore.expired(date(2027, 2, 1))
    assert not Ignore(id="X", reason="r").expired(date(2999, 1, 1))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            'fail-on = "low"\ncolour = "red"\n',
            2,
            "colour: unknown setting (known: eol-warning-days, exclude, fail-on,",
        ),
        (
            'fail-on = "severe"\n',
            1,
            "fail-on: must be one of never, vulnerability, info, unknown, low, medium,",
        ),
        ("eol-warning-days = -1\n", 1, "eol-warning-days: must be a whole number of days ≥ 0, not -1"),
        ("eol-warning-days = true\n", 1, "eol-warning-days: must be a whole number of days ≥ 0, not True"),
        ('eol-warning-days = "30"\n', 1, "eol-warning-days: must be a whole number"),
        ('python-versions = ["3"]\n', 1, "python-versions: must be a list of minor versions"),
        ('python-versions = "3.12"\n', 1, "python-versions: must be a list of minor versions"),
        ('platforms = ["beos"]\n', 1, "platforms: must be a non-empty list of linux, macos, windows"),
        ("platforms = []\n", 1, "platforms: must be a non-empty list"),
        ('ignore = "X-1"\n', 1, "ignore: must be an array of tables"),
        ('exclude = "tests"\n', 1, "exclude: must be a list of globs"),
        ('exclude = ["  "]\n', 1, "exclude: must be a list of globs"),
        ('[[ignore]]\nreason = "r"\n', 1, "ignore: ignore[0]: needs an id"),
        ("ignore = [1]\n", 1, "ignore: ignore[0]: needs an id"),
        (
            '[[ignore]]\nid = "X-1"\nreason = "r"\n\n[[ignore]]\nid = "X-2"\n',
            6,
            "ignore: ignore[1] (X-2): needs a reason",
        ),
        ('[[ignore]]\nid = "X-1"\n', 2, "ignore: ignore[0] (X-1): needs a reason"),
        ('[[ignore]]\nid = "X-1"\nreason = "  "\n', 2, "ignore: ignore[0] (X-1): needs a reason"),
        (
            '[[ignore]]\nid = "X-1"\nreason = "r"\nuntil = "soon"\n',
            2,
            "ignore: ignore[0] (X-1): until must be a date such as 2027-01-31",
        ),
        (
            '[[ignore]]\nid = "X-1"\nreason = "r"\nuntil = 5\n',
            2,
            "ignore: ignore[0] (X-1): until must be a date",
        ),
    ],
)
def test_an_invalid_setting_is_a_config_error_at_its_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "steward.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert isinstance(caught.value, InputError)
    assert (caught.value.path, caught.value.line) == (str(path), line)
    assert str(caught.value).startswith(f"{path}:{line}: {message}")


def test_a_tool_steward_that_is_not_a_table_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\nsteward = "strict"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[tool.steward\] must be a table"):
        load_config(path)


def test_a_config_file_that_is_not_toml_reports_its_line(tmp_path: Path) -> None:
    path = tmp_path / "steward.toml"
    path.write_text('fail-on = "high"\nfail-on = \n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.line == 2
    assert "invalid TOML" in str(caught.value)


def test_a_key_that_cannot_be_found_in_the_text_is_reported_without_a_line(tmp_path: Path) -> None:
    path = tmp_path / "steward.toml"
    path.write_text('"fail\\u002Don" = "severe"\n', encoding="utf-8")  # the key is `fail-on`, escaped
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line is None
    assert str(caught.value).startswith(f"{path}: fail-on: must be one of")


def test_it_reads_exclude_globs(tmp_path: Path) -> None:
    path = tmp_path / "steward.toml"
    path.write_text('exclude = ["tests/**/assets", " vendor "]\n', encoding="utf-8")
    assert load_config(path).exclude == ("tests/**/assets", "vendor")


def test_it_reads_the_licenses_and_health_tables_into_their_policies(tmp_path: Path) -> None:
    from pysteward.engine.health import HealthPolicy
    from pysteward.engine.licenses import LicensePolicy

    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.steward.licenses]\ndeny = ["network-copyleft", "GPL-3.0-only"]\n'
        'project-license = "Apache-2.0"\n\n[tool.steward.health]\nstale-months = 1\nyanked = false\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.license_policy == LicensePolicy(
        deny=("network-copyleft", "GPL-3.0-only"), project_license="Apache-2.0"
    )
    assert config.health_policy == HealthPolicy(stale_months=1, yanked=False)


def test_without_licenses_or_health_tables_the_policies_are_left_to_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "steward.toml"
    path.write_text('fail-on = "high"\n', encoding="utf-8")
    config = load_config(path)
    assert (config.license_policy, config.health_policy) == (None, None)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            'fail-on = "high"\n[licenses]\nfail-on-unknown = "yes"\n',
            2,
            "licenses: fail-on-unknown: must be true",
        ),
        ('[licenses]\nallow = ["MIT"]\ndeny = ["MIT"]\n', 1, "licenses: allow, deny: MIT is in both lists"),
        ("health = [1, 2]\n", 1, "health: must be a table ([tool.steward.health])"),
        (
            "\n[health]\nmin-maintainers = -1\n",
            2,
            "health: min-maintainers must be a whole number of 0 or more",
        ),
    ],
)
def test_a_bad_licenses_or_health_table_is_a_config_error_naming_the_table_once(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "steward.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: {message}")
    assert "health: health" not in str(caught.value)
