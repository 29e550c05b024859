"""Domain values shared by every part of the engine.

A `Dependency` is what one manifest, lockfile or installed environment says about one package. It has
three variants, so an invalid state (a pinned dependency without a version) cannot be built:

    Dependency
    ├── PinnedDependency     an exact version from the package index: matched against advisories
    ├── UnpinnedDependency   a specifier (`>=1.2`, a range, a bare name): reported, never guessed
    └── DirectReference      a URL, VCS, path or editable requirement: not resolvable from the index
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

__all__ = [
    "Dependency",
    "DirectReference",
    "Edge",
    "Location",
    "Manifest",
    "PinnedDependency",
    "Platform",
    "Severity",
    "SourceKind",
    "Target",
    "UnpinnedDependency",
    "normalize",
]

MAIN_SCOPE = "main"

Edge = tuple[NormalizedName | None, NormalizedName]
"""(parent, child) in a dependency graph; a parent of None is the project itself."""


def normalize(name: str) -> NormalizedName:
    """PEP 503 normalised form of a project name (`Foo_Bar` → `foo-bar`)."""
    return canonicalize_name(name)


class SourceKind(StrEnum):
    """Where a dependency comes from."""

    INDEX = "index"
    URL = "url"
    VCS = "vcs"
    PATH = "path"
    EDITABLE = "editable"


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file; `line` is 1-based, or None when the format has no useful line."""

    path: Path
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dependency:
    """What one source says about one package; use one of the three subclasses."""

    name: NormalizedName
    """PEP 503 normalised name."""
    display_name: str
    """The name as the source wrote it."""
    location: Location
    direct: bool | None = None
    """True for a dependency the project names itself, False for a transitive one, None if unknown."""
    scopes: tuple[str, ...] = (MAIN_SCOPE,)
    """`main`, `dev`, `optional`, or the name of an extra or dependency group; sorted, never empty."""
    marker: Marker | None = None
    extras: tuple[str, ...] = ()
    hashes: tuple[str, ...] = ()
    """Hashes as `algorithm:hexdigest`, as the source lists them."""
    requirement: str | None = None
    """The requirement text as written, where the source has one."""

    @property
    def source(self) -> SourceKind:
        """Where the package comes from; the package index unless a subclass says otherwise."""
        return SourceKind.INDEX

    @property
    def has_hashes(self) -> bool:
        """Whether the source pins the artifacts by hash."""
        return bool(self.hashes)


@dataclass(frozen=True, slots=True, kw_only=True)
class PinnedDependency(Dependency):
    """An exact version from the package index (`==1.2`, `===1.2`, or a lockfile entry)."""

    version: Version


@dataclass(frozen=True, slots=True, kw_only=True)
class UnpinnedDependency(Dependency):
    """A requirement that admits more than one version; an empty specifier is a bare name."""

    specifier: SpecifierSet = field(default_factory=SpecifierSet)


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectReference(Dependency):
    """A URL, VCS, local path or editable requirement: not resolvable from the package index."""

    kind: SourceKind
    url: str
    version: Version | None = None
    """The version a lockfile recorded for the reference, if any."""
    commit: str | None = None
    """The resolved VCS commit, if known."""

    @property
    def source(self) -> SourceKind:
        return self.kind


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    """Everything one file says: its dependencies, and for lockfiles the environment they pin."""

    path: Path
    kind: str
    """The parser's kind, such as `requirements`, `uv.lock` or `installed`."""
    dependencies: tuple[Dependency, ...]
    is_lock: bool = False
    """True when the file pins a whole environment (lockfiles, installed environments)."""
    python_requires: SpecifierSet | None = None
    warnings: tuple[str, ...] = ()
    edges: tuple[Edge, ...] = ()
    """The dependency graph where the source has one: (parent, child) by normalised name, the parent
    None for the project itself. Empty when the format records no graph (requirements files)."""


class Platform(StrEnum):
    """The operating systems markers are evaluated against."""

    LINUX = "linux"
    MACOS = "macos"
    WINDOWS = "windows"


_PLATFORM_ENV: dict[Platform, dict[str, str]] = {
    Platform.LINUX: {
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
    },
    Platform.MACOS: {
        "os_name": "posix",
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "platform_machine": "arm64",
    },
    Platform.WINDOWS: {
        "os_name": "nt",
        "sys_platform": "win32",
        "platform_system": "Windows",
        "platform_machine": "AMD64",
    },
}


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """One (Python minor version, platform) pair that environment markers are evaluated against."""

    python: str
    """A minor version such as `3.12`."""
    platform: Platform

    def environment(self) -> dict[str, str]:
        """A PEP 508 marker environment for this target (CPython, patch level 0)."""
        return {
            **_PLATFORM_ENV[self.platform],
            "python_version": self.python,
            "python_full_version": f"{self.python}.0",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "implementation_version": f"{self.python}.0",
            "platform_release": "",
            "platform_version": "",
            "extra": "",
        }

    def __str__(self) -> str:
        return f"{self.python}/{self.platform}"


class Severity(IntEnum):
    """How bad a finding is, in the order `--fail-on` compares them.

    A vulnerability whose records carry no severity is UNKNOWN, ranked below LOW as Grype does, so
    `--fail-on low` does not fail on it while the default (`vulnerability`) does.
    """

    INFO = 0
    UNKNOWN = 1
    LOW = 2
    MEDIUM = 3
    HIGH = 4
    CRITICAL = 5
    MALICIOUS = 6

    @property
    def label(self) -> str:
        """Lower-case name, as used in options and output (`high`)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """The severity named `text` (case-insensitive; GHSA's `MODERATE` is MEDIUM)."""
        key = text.strip().upper()
        if key == "MODERATE":
            key = "MEDIUM"
        try:
            return cls[key]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}") from None
