"""Conditional, atomic downloads for the loaders of external facts (OSV export, release cycle).

    OperationalError (pysteward.errors)
    └── DownloadError        the server could not be reached or answered with an error

A download is written to a temporary file beside the destination and renamed over it only when it is
complete, so an interrupted download never leaves a half-written file where data used to be. The
`ETag` and `Last-Modified` of the last download are kept in `<dest>.http.json` and sent back as
`If-None-Match` / `If-Modified-Since`, so an unchanged file is not downloaded again.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pysteward.engine.observer import NullObserver, Observer
from pysteward.errors import OperationalError

__all__ = ["DownloadError", "DownloadResult", "download"]

TIMEOUT_SECONDS = 60.0
_CHUNK = 1 << 16


class DownloadError(OperationalError):
    """The download failed; nothing at the destination was changed."""


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """What a download did: `changed` is False when the server said the file is unchanged."""

    path: Path
    changed: bool
    etag: str | None
    last_modified: str | None


def _validators_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".http.json")


def _load_validators(dest: Path) -> dict[str, str]:
    path = _validators_path(dest)
    if not dest.exists() or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def download(
    url: str,
    dest: Path,
    *,
    observer: Observer | None = None,
    task: str = "download",
    timeout: float = TIMEOUT_SECONDS,
) -> DownloadResult:
    """Fetch `url` into `dest` unless the server says our copy is current.

    Raises `DownloadError` on a network failure or an HTTP error status; `dest` is then untouched.
    """
    import httpx

    observer = observer or NullObserver()
    validators = _load_validators(dest)
    headers = {"Accept-Encoding": "identity"}
    if "etag" in validators:
        headers["If-None-Match"] = validators["etag"]
    if "last_modified" in validators:
        headers["If-Modified-Since"] = validators["last_modified"]
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
            if response.status_code == 304:
                return DownloadResult(dest, False, validators.get("etag"), validators.get("last_modified"))
            if response.status_code >= 400:
                raise DownloadError(f"{url}: the server answered HTTP {response.status_code}")
            total = response.headers.get("Content-Length")
            observer.start(task, int(total) if total and total.isdigit() else None)
            _stream_to(dest, response.iter_bytes(_CHUNK), observer, task)
            observer.finish(task)
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
    except httpx.HTTPError as e:
        raise DownloadError(
            f"{url}: download failed: {e}", hint="check the network or use a local file"
        ) from e
    _save_validators(dest, etag, last_modified)
    return DownloadResult(dest, True, etag, last_modified)


def _stream_to(dest: Path, chunks: object, observer: Observer, task: str) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:  # type: ignore[attr-defined]
                out.write(chunk)
                observer.advance(task, len(chunk))
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _save_validators(dest: Path, etag: str | None, last_modified: str | None) -> None:
    data = {"etag": etag, "last_modified": last_modified}
    _validators_path(dest).write_text(json.dumps({k: v for k, v in data.items() if v}), encoding="utf-8")
