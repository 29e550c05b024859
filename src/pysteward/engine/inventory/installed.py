"""Installed environments: the metadata of every distribution in a venv, conda env or site-packages.

Nothing is run: an interpreter path only tells where its environment is (`…/bin/python` → `…`), and a
venv's `python` symlink is not followed to the base interpreter. Each distribution's metadata
(`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, a plain `*.egg-info` file, `*.egg/EGG-INFO/PKG-INFO`)
is read with the stdlib email parser, as the core metadata spec says: header names are
case-insensitive and the first occurrence wins. PEP 610 `direct_url.json` marks URL, VCS, path and
editable installs; a PEP 376 `REQUESTED` file marks a package the user asked for.

A conda environment's `conda-meta/*.json` records are read too: the `python` record gives the
interpreter version, and other records are included only for names no metadata file provides.
"""

from __future__ import annotations

import json
import re
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any, ClassVar, cast

from packaging.markers import InvalidMarker, Marker, default_environment
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import InvalidVersion, Version

from pysteward.engine.inventory._files import read_bytes
from pysteward.engine.inventory._requirement import url_kind
from pysteward.engine.inventory.conda import CondaMetaParser, read_conda_record
from pysteward.engine.inventory.interface import InventoryError, Parser
from pysteward.engine.model import (
    Dependency,
    DirectReference,
    Edge,
    Location,
    Manifest,
    PinnedDependency,
    SourceKind,
    normalize,
)
from pysteward.errors import InputError

__all__ = ["CondaMetaParser", "InstalledMetadataParser", "read_environment", "read_metadata"]

_INTERPRETER = re.compile(r"^(python|pypy)(\d+(\.\d+)?)?[tw]?(\.exe)?$", re.IGNORECASE)
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?")
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_LIB_PYTHON = re.compile(r"^python(\d+)\.(\d+)t?$")
_LOOKED_FOR = (
    "looked for pyvenv.cfg, lib/python3.*/site-packages, Lib/site-packages, conda-meta/, "
    "and *.dist-info or *.egg-info entries"
)


def _metadata_line(text: str) -> int | None:
    """The line of the first `Name:` header (headers end at the first blank line)."""
    headers = re.split(r"\n[ \t]*\n", text, maxsplit=1)[0].splitlines()
    return next((n for n, line in enumerate(headers, start=1) if re.match(r"name\s*:", line, re.I)), None)


def _header(message: Any, name: str, path: Path) -> str:
    value = message.get(name)
    text = str(value).strip() if value is not None else ""
    if not text:
        raise InventoryError(f'the metadata has no "{name}" header', path=path)
    return text


def _direct_reference(
    dist_dir: Path, common: dict[str, Any], version: Version | None
) -> DirectReference | None:
    """The PEP 610 `direct_url.json` of a distribution as a reference; None when absent or unusable."""
    try:
        data = json.loads((dist_dir / "direct_url.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str):
        return None
    commit = None
    if isinstance(vcs := data.get("vcs_info"), dict):
        kind = SourceKind.VCS
        tool = str(vcs.get("vcs", "git"))
        url = url if url.startswith(f"{tool}+") else f"{tool}+{url}"
        commit = vcs.get("commit_id") if isinstance(vcs.get("commit_id"), str) else None
    elif isinstance(info := data.get("dir_info"), dict):
        kind = SourceKind.EDITABLE if info.get("editable") else SourceKind.PATH
    else:
        kind = url_kind(url)
    return DirectReference(kind=kind, url=url, version=version, commit=commit, **common)


def read_metadata(path: Path, dist_dir: Path | None = None) -> Dependency:
    """The distribution one METADATA / PKG-INFO file describes.

    `dist_dir` is its `*.dist-info` / `*.egg-info` directory, where `direct_url.json` and
    `REQUESTED` live. Raise `InventoryError` for an empty file, a missing Name or Version, or a
    version that is not PEP 440 (unless `direct_url.json` says where it came from).
    """
    return _read_distribution(path, dist_dir)[0]


def _read_distribution(path: Path, dist_dir: Path | None) -> tuple[Dependency, list[str]]:
    """`read_metadata`, with the distribution's `Requires-Dist` values."""
    text = read_bytes(path).decode("utf-8", errors="replace")  # old PKG-INFO files are often Latin-1
    if not text.strip():
        raise InventoryError("the metadata file is empty", path=path)
    message = HeaderParser(policy=compat32).parsestr(text)
    name, raw_version = _header(message, "Name", path), _header(message, "Version", path)
    requires = [str(value) for value in message.get_all("Requires-Dist") or ()]
    try:
        version: Version | None = Version(raw_version)
    except InvalidVersion:
        version = None
    common: dict[str, Any] = {
        "name": normalize(name),
        "display_name": name,
        "location": Location(path, _metadata_line(text)),
        "direct": True if dist_dir is not None and (dist_dir / "REQUESTED").exists() else None,
    }
    reference = _direct_reference(dist_dir, common, version) if dist_dir is not None else None
    if reference is not None:
        return reference, requires
    if version is None:
        raise InventoryError(f"version {raw_version!r} is not a PEP 440 version", path=path)
    return PinnedDependency(version=version, **common), requires


def _metadata_file(entry: Path) -> tuple[Path, Path | None] | None:
    """(metadata file, distribution directory) for one site-packages entry, or None."""
    suffix = entry.suffix.lower()
    if suffix == ".dist-info" and entry.is_dir():
        return entry / "METADATA", entry
    if suffix == ".egg-info":
        return (entry / "PKG-INFO", entry) if entry.is_dir() else (entry, None)
    if suffix == ".egg" and (entry / "EGG-INFO").is_dir():
        return entry / "EGG-INFO" / "PKG-INFO", entry / "EGG-INFO"
    return None


class InstalledMetadataParser(Parser):
    """Reads one installed distribution: a METADATA / PKG-INFO file or a `*.dist-info` / `*.egg-info`."""

    kind: ClassVar[str] = "installed-metadata"
    is_lock: ClassVar[bool] = True

    def claims(self, path: Path) -> bool:
        """`*.dist-info` / `*.egg-info` entries, and METADATA / PKG-INFO files inside them."""
        if path.suffix.lower() in (".dist-info", ".egg-info"):
            return True
        parent = path.parent.suffix.lower() in (".dist-info", ".egg-info") or path.parent.name == "EGG-INFO"
        return parent and path.name in ("METADATA", "PKG-INFO")

    def parse(self, path: Path) -> Manifest:
        """Read `path`; raise `InventoryError` when it holds no usable metadata."""
        if path.is_dir():
            found = _metadata_file(path) or (path / "METADATA", path)
            if not found[0].is_file():
                raise InventoryError("no METADATA or PKG-INFO file in this directory", path=path)
            metadata, dist_dir = found
        else:
            metadata = path
            in_dist = (
                path.parent.suffix.lower() in (".dist-info", ".egg-info") or path.parent.name == "EGG-INFO"
            )
            dist_dir = path.parent if in_dist else None
        dependency = read_metadata(metadata, dist_dir)
        return Manifest(path=path, kind=self.kind, dependencies=(dependency,), is_lock=True)


def _interpreter_root(path: Path) -> Path:
    """The environment an interpreter path belongs to, without resolving its symlink."""
    if not _INTERPRETER.match(path.name):
        raise InputError(
            f"not a Python interpreter, environment or site-packages directory; {_LOOKED_FOR}", path=path
        )
    return path.parent.parent if path.parent.name.lower() in ("bin", "scripts") else path.parent


def _site_dirs(root: Path) -> list[Path]:
    candidates = [
        *sorted(root.glob("lib/python3*/site-packages")),
        *sorted(root.glob("lib64/python3*/site-packages")),
        *sorted(root.glob("lib/pypy3*/site-packages")),
        root / "Lib" / "site-packages",
    ]
    found: dict[Path, Path] = {}
    for candidate in candidates:
        if candidate.is_dir():
            found.setdefault(candidate.resolve(), candidate)  # lib64 is often a symlink to lib
    return list(found.values())


def _has_distributions(directory: Path) -> bool:
    if directory.name.lower() in ("site-packages", "dist-packages"):
        return True
    return any(_metadata_file(entry) for entry in directory.iterdir())


def _locate(path: Path) -> tuple[Path | None, list[Path]]:
    """(environment root or None, site-packages directories) for any accepted kind of path."""
    if path.is_file() or path.is_symlink():
        root = _interpreter_root(path)
    elif path.is_dir():
        root = path
    else:
        raise InputError("no such file or directory", path=path)
    sites = _site_dirs(root)
    if sites or (root / "pyvenv.cfg").is_file() or (root / "conda-meta").is_dir():
        return root, sites
    if _has_distributions(root):
        return None, [root]
    raise InputError(f"not a recognisable Python environment: {_LOOKED_FOR}", path=path)


def _pyvenv_version(root: Path) -> SpecifierSet | None:
    try:
        lines = (root / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    values = {key.strip().lower(): value for key, _, value in (line.partition("=") for line in lines)}
    for key in ("version", "version_info"):
        if match := _VERSION.match(values.get(key, "")):
            major, minor, patch = match.groups()
            return SpecifierSet(f"=={major}.{minor}.{patch}" if patch else f"=={major}.{minor}.*")
    return None


def _lib_version(sites: list[Path]) -> SpecifierSet | None:
    for site in sites:
        if match := _LIB_PYTHON.match(site.parent.name):
            return SpecifierSet(f"=={match.group(1)}.{match.group(2)}.*")
    return None


class _Environment:
    """What has been read so far from one environment."""

    def __init__(self) -> None:
        self.dependencies: dict[str, Dependency] = {}
        self.requires: dict[NormalizedName, list[str]] = {}
        self.warnings: list[str] = []
        self.conda_python: SpecifierSet | None = None

    def read_site(self, site: Path) -> None:
        """Every distribution in one site-packages directory."""
        for entry in sorted(site.iterdir()):
            found = _metadata_file(entry)
            if found is None:
                continue
            try:
                dependency, requires = _read_distribution(*found)
            except InventoryError as e:
                self.warnings.append(f"{e}; skipped")
                continue
            if dependency.name in self.dependencies:
                self.warnings.append(
                    f"{entry}: {dependency.name} is installed twice; the first one is reported"
                )
                continue
            self.dependencies[dependency.name] = dependency
            self.requires[dependency.name] = requires

    def read_conda(self, conda_meta: Path, *, has_metadata: bool) -> None:
        """conda-meta records; `python` gives the version.

        Where the environment has Python metadata (site-packages), every Python package conda
        installed has a dist-info there, so a record without one is a system library (openssl,
        libffi, …): its name is not a PyPI name and matching it against PyPI advisories would
        mislead, so it is left out and counted in one warning. Without any site-packages the records
        are all there is, and they are reported.
        """
        system: list[str] = []
        for record_path in sorted(conda_meta.glob("*.json")):
            try:
                record = read_conda_record(record_path)
            except InventoryError as e:
                self.warnings.append(f"{e}; skipped")
                continue
            if normalize(record.name) == "python":
                self.conda_python = _exact(record.version)
                continue
            if normalize(record.name) in self.dependencies:
                continue  # a conda-installed package's dist-info says more (direct_url, REQUESTED)
            if has_metadata:
                system.append(record.name)
                continue
            dependency = record.dependency()
            if dependency is None:
                self.warnings.append(
                    f"{record.location}: version {record.version!r} is not a PEP 440 version; skipped"
                )
            else:
                self.dependencies[dependency.name] = dependency
        if system:
            shown = ", ".join(sorted(system)[:5]) + (", …" if len(system) > 5 else "")
            self.warnings.append(
                f"{conda_meta}: {len(system)} conda packages without Python metadata ({shown}) are not "
                "PyPI distributions; not assessed"
            )


def _exact(version: str) -> SpecifierSet | None:
    match = _VERSION.match(version)
    return SpecifierSet(f"=={match.group(0).strip()}") if match else None


def _marker_environment(python_requires: SpecifierSet | None) -> dict[str, str]:
    """This machine's marker environment, at the environment's Python version when it is known, with
    no extra: which extras were installed is not recorded, so a requirement behind one does not hold."""
    environment = cast(dict[str, str], dict(default_environment()))
    environment["extra"] = ""
    match = _VERSION.match(str(python_requires).lstrip("=")) if python_requires else None
    if match is not None:
        major, minor, patch = match.groups()
        environment["python_version"] = f"{major}.{minor}"
        environment["python_full_version"] = f"{major}.{minor}.{patch or 0}"
    return environment


def _installed_edges(
    requires: dict[NormalizedName, list[str]], python_requires: SpecifierSet | None
) -> tuple[Edge, ...]:
    """(distribution, requirement) for each `Requires-Dist` that names an installed distribution and
    whose marker holds in the environment (an unreadable marker keeps the edge)."""
    environment = _marker_environment(python_requires)
    edges: dict[Edge, None] = {}
    for parent, texts in requires.items():
        for text in texts:
            requirement, _, marker = text.partition(";")
            match = _REQUIREMENT_NAME.match(requirement)
            child = normalize(match.group(1)) if match else None
            if child is None or child not in requires or child == parent:
                continue
            try:
                holds = not marker.strip() or Marker(marker).evaluate(environment)
            except InvalidMarker:
                holds = True
            if holds:
                edges[(parent, child)] = None
    return tuple(edges)


def read_environment(path: Path) -> Manifest:
    """Every distribution installed in an environment, given as a venv or conda env directory, a
    site-packages directory, or an interpreter path (never run). Raise `InputError` when `path` is
    none of these.
    """
    root, sites = _locate(path)
    environment = _Environment()
    for site in sites:
        environment.read_site(site)
    if root is not None and (root / "conda-meta").is_dir():
        environment.read_conda(root / "conda-meta", has_metadata=bool(sites))
    python_requires = (
        (_pyvenv_version(root) if root is not None else None)
        or environment.conda_python
        or _lib_version(sites)
    )
    dependencies = sorted(environment.dependencies.values(), key=lambda dependency: dependency.name)
    return Manifest(
        path=path,
        kind="installed",
        dependencies=tuple(dependencies),
        is_lock=True,
        python_requires=python_requires,
        warnings=tuple(environment.warnings),
        edges=_installed_edges(environment.requires, python_requires),
    )
