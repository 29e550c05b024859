"""Where the package index is: found the way pip finds it, never written into Steward.

Order: `PIP_INDEX_URL`, then `UV_INDEX_URL` and `UV_DEFAULT_INDEX`, then pip's configuration files
(`install.index-url`, then `global.index-url`, read by pip's own loader so `PIP_CONFIG_FILE` and every
file pip reads count), else pip's own default. Steward names no registry host itself: without pip
and without configuration it asks the user to set `PIP_INDEX_URL`.

Loading pip's configuration module costs about 120 ms (it imports pip's vendored requests), paid on
every `steward assess`. So its answer is remembered in the data directory together with the size and
modification time of every file pip may read its configuration from (`_candidate_files`, pip's
documented locations); pip is asked again as soon as one of them appears, changes or disappears.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pysteward.errors import OperationalError

__all__ = ["IndexLocation", "find_index", "redact"]

_ENV_VARIABLES = ("PIP_INDEX_URL", "UV_INDEX_URL", "UV_DEFAULT_INDEX")
_CONFIG_KEYS = ("install.index-url", "global.index-url")
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")


def redact(text: str) -> str:
    """`text` with the credentials of every URL in it replaced by `***` (for messages and logs)."""
    return _USERINFO.sub(r"\g<scheme>***@", text)


@dataclass(frozen=True, slots=True)
class IndexLocation:
    """A simple-API index URL (no trailing slash) and where it was found (`PIP_INDEX_URL`, …)."""

    simple_url: str
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "simple_url", self.simple_url.rstrip("/"))

    @property
    def display(self) -> str:
        """The URL with credentials redacted, for messages."""
        return redact(self.simple_url)

    @property
    def json_api_base(self) -> str | None:
        """The index's base for the JSON API (`…/pypi/<name>/json`): the simple URL without its
        trailing `/simple`; None when the URL does not end that way (the index offers no JSON API
        we can locate)."""
        if not self.simple_url.endswith("/simple"):
            return None
        return self.simple_url.removesuffix("/simple")

    def project_url(self, name: str) -> str:
        """The PEP 691 project page of `name` (a normalised name)."""
        return f"{self.simple_url}/{quote(name)}/"

    def json_url(self, name: str, version: str | None = None) -> str | None:
        """The JSON API document of `name` (or of one `version`); None without a JSON API."""
        base = self.json_api_base
        if base is None:
            return None
        if version is None:
            return f"{base}/pypi/{quote(name)}/json"
        return f"{base}/pypi/{quote(name)}/{quote(version)}/json"


def find_index(env: Mapping[str, str] | None = None) -> IndexLocation:
    """The package index pip would use, read from `env` (default `os.environ`) and pip's config.

    Raises `OperationalError` when nothing is configured and pip is not importable, or when the
    URL is not http(s).
    """
    env = os.environ if env is None else env
    for variable in _ENV_VARIABLES:
        value = env.get(variable, "").strip()
        if value:
            return _checked(IndexLocation(value, variable))
    return _checked(_from_pip())


def _candidate_files() -> list[Path]:
    """Every file pip may read its configuration from (pip's documented locations, all platforms)."""
    home = Path.home()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    config_dirs = (os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep)
    appdata = [Path(os.environ[v]) for v in ("APPDATA", "PROGRAMDATA") if os.environ.get(v)]
    prefix = Path(sys.prefix)
    candidates = [
        *(Path(d) / "pip" / "pip.conf" for d in config_dirs),
        Path("/etc/pip.conf"),
        Path("/Library/Application Support/pip/pip.conf"),
        home / "Library" / "Application Support" / "pip" / "pip.conf",
        config_home / "pip" / "pip.conf",
        home / ".pip" / "pip.conf",
        *(d / "pip" / "pip.ini" for d in appdata),
        prefix / "pip.conf",
        prefix / "pip.ini",
    ]
    if os.environ.get("PIP_CONFIG_FILE"):
        candidates.append(Path(os.environ["PIP_CONFIG_FILE"]))
    return candidates


def _fingerprint() -> list[list[object]]:
    stamps: list[list[object]] = []
    for path in _candidate_files():
        try:
            stat = path.stat()
        except OSError:
            stamps.append([str(path), None])
        else:
            stamps.append([str(path), stat.st_size, stat.st_mtime_ns])
    return stamps


def _memo_path() -> Path:
    from pysteward.engine.datadir import data_dir

    return data_dir() / "pip-index-location.json"


def _from_pip() -> IndexLocation:
    """pip's answer, remembered while none of its configuration files changes."""
    fingerprint = _fingerprint()
    memo_path = _memo_path()
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
        if memo["fingerprint"] == fingerprint:
            return IndexLocation(memo["url"], memo["source"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    location = _ask_pip()
    memo = {"fingerprint": fingerprint, "url": location.simple_url, "source": location.source}
    try:
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        memo_path.write_text(json.dumps(memo), encoding="utf-8")
    except OSError:
        pass  # an unwritable data directory only costs the next run the same 120 ms
    return location


def _ask_pip() -> IndexLocation:
    try:
        from pip._internal.configuration import Configuration
        from pip._internal.exceptions import ConfigurationError
        from pip._internal.models.index import PyPI
    except ImportError:
        raise OperationalError(
            "no package index is configured and pip is not installed to say which to use",
            hint="set PIP_INDEX_URL to your package index's simple URL",
        ) from None
    configuration = Configuration(isolated=False)
    try:
        configuration.load()
    except ConfigurationError as e:
        raise OperationalError(
            f"pip's configuration could not be read: {redact(str(e))}",
            hint="fix the file, or set PIP_INDEX_URL",
        ) from None
    for key in _CONFIG_KEYS:
        # get_value, not items(): pip 26 changed items() to list each file's values separately.
        try:
            value = str(configuration.get_value(key)).strip()
        except ConfigurationError:
            continue
        if value:
            return IndexLocation(value, f"pip configuration ({key})")
    return IndexLocation(PyPI.simple_url, "pip's default")


def _checked(location: IndexLocation) -> IndexLocation:
    if not location.simple_url.startswith(("http://", "https://")):
        raise OperationalError(
            f"the package index {location.display} (from {location.source}) is not an http(s) URL",
            hint="set PIP_INDEX_URL to an http(s) index for health look-ups",
        )
    return location
