"""Values for declared Python versions, and parsing of the many ways projects write one.

RuntimeDeclaration            one place that names the Python a project runs on
├── VersionDeclaration        an exact or minor version (`3.12.1`, `3.12`, `pypy3.10`)
└── RangeDeclaration          a specifier (`>=3.9`, `^3.10` after conversion, `3.*`)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pysteward.engine.model import Location

__all__ = [
    "DeclarationKind",
    "RangeDeclaration",
    "RuntimeDeclaration",
    "VersionDeclaration",
    "parse_python_version",
    "parse_specifier",
]


class DeclarationKind(StrEnum):
    """The kind of file or setting a declaration comes from."""

    REQUIRES_PYTHON = "requires-python"
    POETRY = "poetry"
    PYTHON_VERSION_FILE = ".python-version"
    RUNTIME_TXT = "runtime.txt"
    DOCKERFILE = "dockerfile"
    GITHUB_ACTIONS = "github-actions"
    GITLAB_CI = "gitlab-ci"
    TOX = "tox"
    CLASSIFIER = "classifier"
    CONDA = "conda"
    SETUP_CFG = "setup.cfg python_requires"
    SETUP_PY = "setup.py python_requires"
    PIPFILE = "Pipfile python_version"
    INSTALLED = "installed"
    """An installed environment's interpreter (not detected here; set by callers that inspect one)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeDeclaration:
    """One place that names a Python version; use one of the two subclasses."""

    kind: DeclarationKind
    text: str
    """The version text as the file wrote it (`3.12-slim`, `py311`, `^3.10`)."""
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionDeclaration(RuntimeDeclaration):
    """An exact (`3.12.1`) or minor (`3.12`) version."""

    version: Version
    implementation: str = "cpython"
    """`cpython`, or another interpreter such as `pypy` (whose `version` is the Python it implements)."""

    @property
    def minor(self) -> str:
        """The minor version (`3.12`)."""
        return f"{self.version.major}.{self.version.minor}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeDeclaration(RuntimeDeclaration):
    """A range of versions, as `requires-python` writes it."""

    specifier: SpecifierSet


Parsed = Version | SpecifierSet
"""What a version token means: one version, or a range (a bare major `3` is `==3.*`)."""

_TOKEN = re.compile(
    r"^(?:(?P<impl>cpython|python|pypy|py)[-@]?)?"
    r"(?P<major>\d+)(?:\.(?P<minor>\d+|x|\*))?(?:\.(?P<patch>\d+|x|\*))?"
    r"(?P<rest>[-.+a-z0-9]*)$"
)
_OPERATOR = re.compile(r"^\s*[<>=!~^]")


def parse_python_version(text: str) -> tuple[str, Parsed] | None:
    """The interpreter and version a token names, or None when it names none.

    Accepts `3.12`, `3.12.1`, `3`, `3.x`, `3.12.x`, `3.13t`, `3.14-dev`, `3.13.0-beta.1`, `pypy3.10`,
    `pypy-3.10`, `cpython@3.12` and specifiers such as `>=3.9`.
    """
    token = text.strip().strip("'\"").lower()
    if _OPERATOR.match(token):
        spec = parse_specifier(token)
        return None if spec is None else ("cpython", spec)
    match = _TOKEN.match(token)
    if match is None:
        return None
    impl = match.group("impl") or "cpython"
    implementation = "pypy" if impl == "pypy" else "cpython"
    major, minor, patch = match.group("major"), match.group("minor"), match.group("patch")
    if int(major) not in (2, 3):
        return None
    if minor in (None, "x", "*"):
        return implementation, SpecifierSet(f"=={major}.*")
    if patch in (None, "x", "*"):
        return implementation, Version(f"{major}.{minor}")
    return implementation, Version(f"{major}.{minor}.{patch}")


def parse_specifier(text: str) -> SpecifierSet | None:
    """A PEP 440 specifier set, accepting the Poetry forms (`^3.10`, `~3.10`, `>=3.9 <4`)."""
    parts = [part.strip() for part in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text.strip()) if part]
    converted: list[str] = []
    for part in parts:
        clause = _poetry_clause(part)
        if clause is None:
            return None
        converted.extend(clause)
    try:
        return SpecifierSet(",".join(converted))
    except InvalidSpecifier:
        return None


def _poetry_clause(part: str) -> list[str] | None:
    if part == "*":
        return []
    if part[0] in "^~" and part[:2] != "~=":
        try:
            version = Version(part[1:].strip())
        except InvalidVersion:
            return None
        return [f">={version}", f"<{_poetry_upper(version, caret=part[0] == '^')}"]
    if part[0].isdigit():
        # Poetry reads a bare version as an exact requirement (`3.10` is `==3.10`, `3.*` stays).
        return [f"=={part}"]
    return [part]


def _poetry_upper(version: Version, *, caret: bool) -> str:
    release = list(version.release)
    if caret:
        # `^` allows changes that do not modify the left-most non-zero component.
        index = next((i for i, n in enumerate(release) if n != 0), len(release) - 1)
        return ".".join([*map(str, release[:index]), str(release[index] + 1)])
    # `~` allows patch-level changes (or minor-level when only a major is given).
    if len(release) == 1:
        return str(release[0] + 1)
    return f"{release[0]}.{release[1] + 1}"
