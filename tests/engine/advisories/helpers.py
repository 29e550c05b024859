"""Builders for small OSV records used across the advisory tests."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from pysteward.engine.advisories import Advisory, parse_record

Events = list[tuple[str, str]]


def raw(
    record_id: str,
    package: str = "demo",
    *,
    ranges: list[Events] | None = None,
    versions: list[str] | None = None,
    git: Events | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """An OSV record for one PyPI package with ECOSYSTEM `ranges` (lists of (kind, version))."""
    range_list: list[dict[str, Any]] = [
        {"type": "ECOSYSTEM", "events": [{kind: value} for kind, value in events]} for events in ranges or []
    ]
    if git is not None:
        range_list.append(
            {"type": "GIT", "repo": "https://git.invalid/x", "events": [{k: v} for k, v in git]}
        )
    affected: dict[str, Any] = {"package": {"ecosystem": "PyPI", "name": package}, "ranges": range_list}
    if versions is not None:
        affected["versions"] = versions
    return {"id": record_id, "modified": "2024-01-01T00:00:00Z", "affected": [affected], **fields}


def advisory(record_id: str, package: str = "demo", **kwargs: Any) -> Advisory:
    """The parsed form of `raw(...)`."""
    return parse_record(raw(record_id, package, **kwargs))


def zip_bytes(records: list[dict[str, Any]]) -> bytes:
    """An OSV `all.zip` holding `records` as `<id>.json` at the root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            archive.writestr(f"{record['id']}.json", json.dumps(record, indent=2))
    return buffer.getvalue()


def write_zip(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write `zip_bytes(records)` to `path`."""
    path.write_bytes(zip_bytes(records))
    return path
