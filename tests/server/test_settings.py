"""Server settings: defaults that need no other service, and unsafe or malformed values refused."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

import pytest

from pysteward.server.settings import SECRET_FILE, Settings, SettingsError, load_settings


def test_with_nothing_set_it_uses_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/steward.sqlite3")
    assert settings.mode == "production"
    assert settings.base_url == "http://127.0.0.1:8000"


def test_a_missing_secret_is_generated_once_and_kept_private() -> None:
    first = load_settings().secret()
    second = load_settings().secret()
    assert first == second
    assert len(first) >= 32
    path = Path(load_settings().database_url.removeprefix("sqlite:///")).with_name(SECRET_FILE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_configured_secret_is_used_as_given() -> None:
    assert load_settings(secret_key="k" * 40).secret() == "k" * 40


@pytest.mark.parametrize("secret", ["short", "changeme", "x" * 31])
def test_a_weak_secret_is_refused_outside_development(secret: str) -> None:
    with pytest.raises(SettingsError, match=r"^STEWARD_SECRET_KEY is too weak"):
        load_settings(secret_key=secret)
    assert load_settings(secret_key=secret, mode="development").secret() == secret


def test_insecure_cookies_are_refused_on_a_public_interface() -> None:
    with pytest.raises(SettingsError, match="STEWARD_COOKIE_SECURE=false is only allowed"):
        load_settings(cookie_secure=False, host="0.0.0.0")
    assert not load_settings(cookie_secure=False, host="127.0.0.1").cookie_secure
    assert not load_settings(cookie_secure=False, host="0.0.0.0", mode="development").cookie_secure


def test_private_targets_are_read_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_ALLOW_PRIVATE_TARGETS", "127.0.0.1/32, 10.0.0.0/8,")
    settings = load_settings()
    assert settings.allow_private_targets == ("127.0.0.1/32", "10.0.0.0/8")
    assert settings.private_networks_allowed == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
    )
    assert Settings(allow_private_targets=("::1",)).allow_private_targets == ("::1",)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "STEWARD_ALLOW_PRIVATE_TARGETS",
            "localhost",
            "STEWARD_ALLOW_PRIVATE_TARGETS: 'localhost' is not an IP network",
        ),
        ("STEWARD_PORT", "eighty", "STEWARD_PORT: Input should be a valid integer"),
        ("STEWARD_PORT", "0", "STEWARD_PORT: Input should be greater than or equal to 1"),
        (
            "STEWARD_HOUR_ROLLUP_RETENTION_DAYS",
            "30",
            "STEWARD_HOUR_ROLLUP_RETENTION_DAYS: Input should be greater",
        ),
        ("STEWARD_MODE", "test", "STEWARD_MODE: Input should be 'production' or 'development'"),
    ],
)
def test_a_bad_variable_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_variable_pydantic_settings_cannot_decode_is_a_settings_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Complex fields are JSON-decoded by pydantic-settings before validation; a field of ours that
    # becomes complex later must still fail as one line, not a traceback.
    from pydantic_settings import SettingsError as UnreadableSetting

    def unreadable(**_: object) -> Settings:
        raise UnreadableSetting('error parsing value for field "x" from source "EnvSettingsSource"')

    monkeypatch.setattr("pysteward.server.settings.Settings", unreadable)
    with pytest.raises(SettingsError, match="error parsing value"):
        load_settings()


def test_the_base_url_prefers_the_public_url_and_brackets_ipv6() -> None:
    assert (
        load_settings(public_url="https://steward.example.invalid/").base_url
        == "https://steward.example.invalid"
    )
    assert load_settings(host="::1", port=9000).base_url == "http://[::1]:9000"
