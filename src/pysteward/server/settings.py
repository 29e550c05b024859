"""Server settings in one class that refuses unsafe values at start-up (STYLE 26).

Every field reads `STEWARD_<FIELD>` from the environment. With nothing set the server runs on the
embedded SQLite database in the data directory, with a secret key generated once and kept beside it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pysteward.engine.datadir import data_dir
from pysteward.errors import InputError
from pysteward.store.engine import default_database_url

__all__ = ["SECRET_FILE", "Settings", "SettingsError", "load_settings"]

SECRET_FILE = "secret-key"  # noqa: S105 (a file name, not a secret)
_WEAK_SECRETS = {"secret", "changeme", "change-me", "development", "dev", "steward", "password"}
_MIN_SECRET = 32


class SettingsError(InputError):
    """A setting is missing, malformed or unsafe; the message names the variable."""


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(BaseSettings):
    """Everything the server can be told; see docs/server.md for each setting."""

    model_config = SettingsConfigDict(env_prefix="STEWARD_", extra="ignore", frozen=True)

    mode: Literal["production", "development"] = "production"
    """`development` relaxes the secret-key and cookie rules for local work; never in production."""
    database_url: str = Field(default_factory=default_database_url)
    secret_key: SecretStr | None = None
    """For signed links of the web console to come; generated and kept in the data directory when not
    given. Sessions, CSRF tokens and API tokens need no key: they are random values stored hashed."""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = ""
    """How clients reach this server (heartbeat push URLs); defaults to http://host:port."""
    cookie_secure: bool = True
    session_hours: float = Field(default=12.0, gt=0)
    login_attempts_per_minute: int = Field(default=5, ge=1)
    allow_private_targets: Annotated[tuple[str, ...], NoDecode] = ()
    """Networks (`127.0.0.1/32`, `10.0.0.0/8`) monitors and channels may reach although private."""
    runner: bool = True
    """Run the in-process checker with the API; off when Celery workers do the checking."""
    runner_concurrency: int = Field(default=200, ge=1)
    runner_batch_size: int = Field(default=500, ge=1)
    runner_flush_seconds: float = Field(default=1.0, gt=0)
    runner_jitter_seconds: float = Field(default=1.0, ge=0)
    raw_retention_days: int = Field(default=30, ge=1)
    minute_rollup_retention_days: int = Field(default=35, ge=1)
    hour_rollup_retention_days: int = Field(default=400, ge=396)
    """At least 13 months: a year-on-year comparison needs the same month a year earlier."""
    mail_url: SecretStr | None = None
    """An Apprise `mailto://` or `mailtos://` URL of the provider's mail server, used to notify users by
    e-mail (escalation steps naming a user); the user's address is added as the recipient."""
    notify_max_attempts: int = Field(default=6, ge=1)
    """How many times a delivery is tried before it is given up (transient failures only)."""
    notify_backoff_seconds: float = Field(default=30.0, gt=0)
    """The wait before the first retry; it doubles with each attempt, up to one hour."""
    notify_timeout_seconds: float = Field(default=10.0, gt=0)
    """Connect and read timeout of one notification attempt."""
    log_format: Literal["json", "text"] = "json"

    @field_validator("allow_private_targets", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("allow_private_targets")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"{network!r} is not an IP network such as 127.0.0.1/32") from None
        return value

    @model_validator(mode="after")
    def _safe(self) -> Self:
        if self.mode == "development":
            return self
        if self.secret_key is not None:
            secret = self.secret_key.get_secret_value()
            if len(secret) < _MIN_SECRET or secret.lower() in _WEAK_SECRETS:
                raise ValueError(
                    f"STEWARD_SECRET_KEY is too weak: use at least {_MIN_SECRET} random characters "
                    "(or leave it unset to have one generated)"
                )
        if not self.cookie_secure and self.host not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError(
                "STEWARD_COOKIE_SECURE=false is only allowed on a loopback host or in development"
            )
        return self

    @cached_property
    def private_networks_allowed(self) -> tuple[IPNetwork, ...]:
        """`allow_private_targets` parsed."""
        return tuple(ipaddress.ip_network(n, strict=False) for n in self.allow_private_targets)

    @property
    def base_url(self) -> str:
        """`public_url`, else the address the server listens on."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return (self.public_url or f"http://{host}:{self.port}").rstrip("/")

    def secret(self) -> str:
        """The secret key: the configured one, else the one generated into the data directory."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _generated_secret(data_dir() / SECRET_FILE)


def _generated_secret(path: Path) -> str:
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(value + "\n")
    return value


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and `overrides`; `SettingsError` names the first bad one."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError as UnreadableSetting

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except UnreadableSetting as e:
        raise SettingsError(str(e)) from None
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        name = f"STEWARD_{where.upper()}: " if where else ""
        raise SettingsError(f"{name}{first['msg'].removeprefix('Value error, ')}") from None
