"""Build a `ProjectInfo` from the index's JSON: the simple page (PEP 691, 700, 792) and the JSON API.

The simple page gives versions, files with upload times (PEP 700), yanked flags and the project
status (PEP 792); the JSON API gives `info` (license fields, classifiers, latest version), releases
with upload times, and `ownership` (`roles` of Owner or Maintainer, and the `organization`).
Unexpected shapes raise `MalformedError`, which the client turns into a failure value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from pysteward.engine.index.values import (
    LicenseFields,
    ProjectInfo,
    ProjectState,
    ProjectStatus,
    Release,
)

__all__ = ["MalformedError", "project_info", "trim"]


class MalformedError(ValueError):
    """The index's JSON does not have the documented shape."""


@dataclass(slots=True)
class _Accumulator:
    """What is known of one version while files are read."""

    uploaded: datetime | None = None
    files: int = 0
    yanked_files: int = 0
    yanked_reason: str | None = None

    def add(self, uploaded: datetime | None, yanked: bool, reason: str | None) -> None:
        self.files += 1
        if uploaded is not None and (self.uploaded is None or uploaded < self.uploaded):
            self.uploaded = uploaded
        if yanked:
            self.yanked_files += 1
            self.yanked_reason = self.yanked_reason or reason

    def release(self, version: Version) -> Release:
        yanked = self.files > 0 and self.yanked_files == self.files
        return Release(version, self.uploaded, yanked, self.yanked_reason if yanked else None)


_FILE_KEYS = ("filename", "upload-time", "upload_time", "upload_time_iso_8601", "yanked", "yanked_reason")
_DROPPED = ("description", "urls", "vulnerabilities")


def _trim_files(files: object) -> object:
    if not isinstance(files, list):
        return files
    return [{k: f[k] for k in _FILE_KEYS if k in f} if isinstance(f, dict) else f for f in files]


def trim(data: dict[str, object]) -> dict[str, object]:
    """`data` without what Steward never reads (descriptions, URLs, hashes), so the cache stays small.

    Anything of an unexpected shape is kept as it is, for `project_info` to judge.
    """
    kept = {k: v for k, v in data.items() if k not in _DROPPED}
    info = kept.get("info")
    if isinstance(info, dict):
        kept["info"] = {k: v for k, v in info.items() if k not in _DROPPED}
    if "files" in kept:
        kept["files"] = _trim_files(kept["files"])
    releases = kept.get("releases")
    if isinstance(releases, dict):
        kept["releases"] = {version: _trim_files(files) for version, files in releases.items()}
    return kept


def _version(text: object) -> Version | None:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def _timestamp(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _file_version(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise MalformedError(f"{where} is not an object")
    return value


def _list(value: object, where: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedError(f"{where} is not a list")
    return value


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _read_simple(
    simple: Mapping[str, object], versions: dict[Version, _Accumulator], *, files: bool
) -> ProjectStatus:
    for text in _list(simple.get("versions"), "versions"):
        version = _version(text)
        if version is not None:
            versions.setdefault(version, _Accumulator())
    # With the JSON API's releases at hand, its files say the same without parsing file names.
    for index, item in enumerate(_list(simple.get("files"), "files") if files else ()):
        entry = _mapping(item, f"files[{index}]")
        filename = str(entry.get("filename", ""))
        version = _file_version(filename)
        if version is None:
            continue
        yanked = entry.get("yanked", False)
        reason = yanked if isinstance(yanked, str) and yanked else None
        accumulator = versions.setdefault(version, _Accumulator())
        accumulator.add(_timestamp(entry.get("upload-time")), bool(yanked), reason)
    return _status(simple.get("project-status"))


def _status(value: object) -> ProjectStatus:
    if value is None:
        return ProjectStatus()
    status = _mapping(value, "project-status")
    try:
        state = ProjectState(str(status.get("status", "active")))
    except ValueError:
        state = ProjectState.ACTIVE  # a marker this Steward does not know; PEP 792 defines four
    return ProjectStatus(state, _text(status.get("reason")))


def _read_releases(releases: object, versions: dict[Version, _Accumulator]) -> None:
    for text, files in _mapping(releases, "releases").items():
        version = _version(text)
        if version is None:
            continue
        accumulator = versions.setdefault(version, _Accumulator())
        for index, item in enumerate(_list(files, f"releases[{text!r}]")):
            entry = _mapping(item, f"releases[{text!r}][{index}]")
            uploaded = _timestamp(entry.get("upload_time_iso_8601")) or _timestamp(entry.get("upload_time"))
            accumulator.add(
                uploaded,
                bool(entry.get("yanked", False)),
                _text(entry.get("yanked_reason")),
            )


def license_fields(info: Mapping[str, object]) -> LicenseFields:
    """The three license fields of a JSON API `info` object."""
    classifiers = tuple(str(c) for c in _list(info.get("classifiers"), "info.classifiers"))
    return LicenseFields(_text(info.get("license_expression")), _text(info.get("license")), classifiers)


def _ownership(api: Mapping[str, object]) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    ownership = _mapping(api.get("ownership") or {}, "ownership")
    owners: list[str] = []
    maintainers: list[str] = []
    for index, item in enumerate(_list(ownership.get("roles"), "ownership.roles")):
        role = _mapping(item, f"ownership.roles[{index}]")
        user = _text(role.get("user"))
        if user is not None:
            (owners if role.get("role") == "Owner" else maintainers).append(user)
    return tuple(sorted(set(owners))), tuple(sorted(set(maintainers))), _text(ownership.get("organization"))


def _latest(info_version: Version | None, releases: tuple[Release, ...]) -> Version | None:
    if info_version is not None:
        return info_version
    final = [r.version for r in releases if not r.yanked and not r.version.is_prerelease]
    candidates = final or [r.version for r in releases]
    return max(candidates, default=None)


def project_info(
    name: str,
    simple: Mapping[str, object] | None,
    api: Mapping[str, object] | None,
    per_version: Mapping[Version, Mapping[str, object]],
    fetched_at: datetime,
) -> ProjectInfo:
    """Combine the documents the index gave for `name` (either top-level one may be absent)."""
    versions: dict[Version, _Accumulator] = {}
    api_releases = None if api is None else api.get("releases")
    status = ProjectStatus()
    if simple is not None:
        status = _read_simple(simple, versions, files=not api_releases)
    info: Mapping[str, object] = {}
    owners: tuple[str, ...] = ()
    maintainers: tuple[str, ...] = ()
    organization = None
    if api is not None:
        info = _mapping(api.get("info"), "info")
        _read_releases(api_releases or {}, versions)
        owners, maintainers, organization = _ownership(api)
    releases = tuple(versions[v].release(v) for v in sorted(versions))
    latest = _latest(_version(info["version"]) if "version" in info else None, releases)
    licenses = {v: license_fields(_mapping(doc.get("info"), "info")) for v, doc in per_version.items()}
    latest_fields = license_fields(info)
    if api is not None and latest is not None:
        licenses.setdefault(latest, latest_fields)
    return ProjectInfo(
        name=canonicalize_name(name),
        latest_version=latest,
        releases=releases,
        owners=owners,
        maintainers=maintainers,
        organization=organization,
        ownership_known=api is not None and "ownership" in api,
        status=status,
        classifiers=latest_fields.classifiers,
        license_expression=latest_fields.license_expression,
        license_text=latest_fields.license,
        fetched_at=fetched_at,
        licenses=tuple(sorted(licenses.items())),
    )
