"""Configuration: `[tool.steward]` in pyproject.toml or a `steward.toml`, then `STEWARD_*` variables.

Precedence, highest first: command-line options (which Typer also fills from `STEWARD_*` variables),
then the configuration file, then the defaults below. Example:

    [tool.steward]
    fail-on = "high"
    eol-warning-days = 180
    python-versions = ["3.11", "3.12"]      # override the detected targets
    exclude = ["tests/**/fixtures"]          # paths discovery skips (globs; * and ** cross folders)

    [tool.steward.licenses]                  # docs/licenses.md
    deny = ["network-copyleft"]

    [tool.steward.health]                    # docs/health.md
    stale-months = 24
    platforms = ["linux"]                    # evaluate markers for these platforms only

    [[tool.steward.ignore]]
    id = "GHSA-xxxx-xxxx-xxxx"               # any alias of the vulnerability works
    reason = "not reachable: we never parse untrusted XML"
    until = 2027-01-31                       # after this date the ignore stops applying
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pysteward.engine.assessment import FailOn
from pysteward.engine.inventory._files import load_toml, read_text
from pysteward.engine.model import Platform
from pysteward.errors import InputError

if TYPE_CHECKING:
    from pysteward.engine.health import HealthPolicy
    from pysteward.engine.licenses import LicensePolicy

__all__ = ["DEFAULT_EOL_WARNING_DAYS", "Config", "ConfigError", "Ignore", "load_config"]

DEFAULT_EOL_WARNING_DAYS = 180
_KEYS = {
    "fail-on", "eol-warning-days", "python-versions", "platforms", "ignore", "exclude", "licenses", "health",
}  # fmt: skip
_MINOR = re.compile(r"^\d+\.\d+$")


class ConfigError(InputError):
    """The configuration file is invalid; the message names the file, the line and the key."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Ignore:
    """Hide one vulnerability (by any of its ids) until a date, for a stated reason."""

    id: str
    reason: str
    until: date | None = None
    line: int | None = None

    def expired(self, on: date) -> bool:
        """An ignore stops applying the day after its `until` date."""
        return self.until is not None and on > self.until


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Settings for an assessment; `source` is the file they came from, if any."""

    fail_on: FailOn = FailOn.VULNERABILITY
    eol_warning_days: int = DEFAULT_EOL_WARNING_DAYS
    python_versions: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    """Globs, relative to each assessed directory, of paths discovery skips (`tests/**/fixtures`)."""
    """Python minor versions to evaluate markers for; empty means detect them."""
    platforms: tuple[Platform, ...] = tuple(Platform)
    ignores: tuple[Ignore, ...] = ()
    license_policy: LicensePolicy | None = None
    """`[tool.steward.licenses]`; None means the default policy."""
    health_policy: HealthPolicy | None = None
    """`[tool.steward.health]`; None means the default thresholds."""
    source: Path | None = None


def find_config_file(directory: Path) -> Path | None:
    """`steward.toml` in `directory`, else its pyproject.toml when that has `[tool.steward]`."""
    candidate = directory / "steward.toml"
    if candidate.is_file():
        return candidate
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and "[tool.steward" in read_text(pyproject):
        return pyproject
    return None


def load_config(path: Path | None) -> Config:
    """Read the configuration in `path` (None gives the defaults)."""
    if path is None:
        return Config()
    text = read_text(path)
    data = load_toml(path, text)
    table = data.get("tool", {}).get("steward", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError("[tool.steward] must be a table", path=path)
    return _parse_table(table, path, text)


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _parse_table(table: dict[str, Any], path: Path, text: str) -> Config:
    def fail(key: str, message: str, line: int | None = None) -> ConfigError:
        return ConfigError(f"{key}: {message}", path=path, line=line or _line_of(text, key))

    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown setting (known: {', '.join(sorted(_KEYS))})")
    fail_on = table.get("fail-on", FailOn.VULNERABILITY.value)
    if fail_on not in FailOn._value2member_map_:
        raise fail("fail-on", f"must be one of {', '.join(m.value for m in FailOn)}, not {fail_on!r}")
    days = table.get("eol-warning-days", DEFAULT_EOL_WARNING_DAYS)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise fail("eol-warning-days", f"must be a whole number of days ≥ 0, not {days!r}")
    versions = table.get("python-versions", [])
    if not isinstance(versions, list) or not all(isinstance(v, str) and _MINOR.match(v) for v in versions):
        raise fail("python-versions", 'must be a list of minor versions such as ["3.11", "3.12"]')
    return Config(
        fail_on=FailOn(fail_on),
        eol_warning_days=days,
        python_versions=tuple(versions),
        exclude=_globs(table.get("exclude", []), fail),
        platforms=_platforms(table.get("platforms", [p.value for p in Platform]), fail),
        ignores=tuple(_ignores(table.get("ignore", []), fail, text)),
        license_policy=_policy(table, "licenses", fail),
        health_policy=_policy(table, "health", fail),
        source=path,
    )


def _policy(table: dict[str, Any], key: str, fail: Any) -> Any:
    """A `[tool.steward.<key>]` sub-table parsed by its check's own parser (None when absent)."""
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise fail(key, f"must be a table ([tool.steward.{key}])")
    from pysteward.engine.health import parse_health_policy
    from pysteward.engine.licenses import parse_license_policy

    try:
        return parse_license_policy(value) if key == "licenses" else parse_health_policy(value)
    except ValueError as e:
        # The health parser names its table itself; say it once.
        raise fail(key, str(e).removeprefix(f"{key}: ")) from None


def _globs(value: object, fail: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail("exclude", 'must be a list of globs such as ["tests/**/fixtures"]')
    return tuple(v.strip() for v in value)


def _platforms(value: object, fail: Any) -> tuple[Platform, ...]:
    known = {p.value for p in Platform}
    if not isinstance(value, list) or not value or not all(v in known for v in value):
        raise fail("platforms", f"must be a non-empty list of {', '.join(sorted(known))}")
    return tuple(Platform(v) for v in value)


def _as_date(value: object) -> object:
    """TOML dates arrive as `date`; a quoted ISO date is accepted too."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _ignores(value: object, fail: Any, text: str) -> list[Ignore]:
    if not isinstance(value, list):
        raise fail("ignore", "must be an array of tables ([[tool.steward.ignore]])")
    ignores = []
    for index, item in enumerate(value):
        where = f"ignore[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise fail("ignore", f"{where}: needs an id")
        line = _line_of(text, f'"{item["id"]}"')
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise fail("ignore", f"{where} ({item['id']}): needs a reason", line)
        until = _as_date(item.get("until"))
        if until is not None and not isinstance(until, date):
            raise fail("ignore", f"{where} ({item['id']}): until must be a date such as 2027-01-31", line)
        ignores.append(Ignore(id=item["id"], reason=reason.strip(), until=until, line=line))
    return ignores
