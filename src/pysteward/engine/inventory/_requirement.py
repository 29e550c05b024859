"""Turning one PEP 508 requirement into the right `Dependency` variant.

Shared by every format that writes requirements as strings (requirements files, pyproject.toml,
setup.cfg, setup.py, conda's `pip:` section), so "what counts as pinned" is decided in one place:
exactly one `==` (without a wildcard) or `===` clause whose version parses is pinned; anything else
with a specifier, or a bare name, is unpinned; a `name @ url` is a direct reference.
"""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.model import (
    MAIN_SCOPE,
    Dependency,
    DirectReference,
    Location,
    PinnedDependency,
    SourceKind,
    UnpinnedDependency,
    normalize,
)

__all__ = ["dependency_from_requirement", "parse_requirement", "pinned_version", "url_kind"]

_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")


def parse_requirement(text: str, location: Location) -> Requirement:
    """Parse PEP 508 text, raising `InventoryError` at `location` with packaging's reason."""
    try:
        return Requirement(text)
    except InvalidRequirement as e:
        reason = str(e).splitlines()[0].rstrip(".")
        raise InventoryError(
            f"invalid requirement {text.strip()!r}: {reason}",
            path=location.path,
            line=location.line,
        ) from None


def pinned_version(specifier: SpecifierSet) -> Version | None:
    """The single exact version a specifier pins (`==1.2`, `===1.2`), or None."""
    clauses = list(specifier)
    if len(clauses) != 1:
        return None
    clause = clauses[0]
    if clause.operator not in ("==", "===") or clause.version.endswith(".*"):
        return None
    try:
        return Version(clause.version)
    except InvalidVersion:
        return None


def url_kind(url: str) -> SourceKind:
    """VCS for `git+…` and friends, PATH for `file:` URLs and local paths, URL otherwise."""
    lowered = url.lower()
    if lowered.startswith(_VCS_PREFIXES):
        return SourceKind.VCS
    if lowered.startswith("file:") or "://" not in lowered:
        return SourceKind.PATH
    return SourceKind.URL


def dependency_from_requirement(
    requirement: Requirement,
    location: Location,
    *,
    text: str | None = None,
    scopes: tuple[str, ...] = (MAIN_SCOPE,),
    direct: bool | None = True,
    hashes: tuple[str, ...] = (),
) -> Dependency:
    """The `Dependency` a parsed requirement stands for."""
    common = {
        "name": normalize(requirement.name),
        "display_name": requirement.name,
        "location": location,
        "direct": direct,
        "scopes": tuple(sorted(set(scopes))) or (MAIN_SCOPE,),
        "marker": requirement.marker,
        "extras": tuple(sorted(requirement.extras)),
        "hashes": hashes,
        "requirement": text if text is not None else str(requirement),
    }
    if requirement.url:
        return DirectReference(kind=url_kind(requirement.url), url=requirement.url, **common)  # type: ignore[arg-type]
    version = pinned_version(requirement.specifier)
    if version is not None:
        return PinnedDependency(version=version, **common)  # type: ignore[arg-type]
    return UnpinnedDependency(specifier=requirement.specifier, **common)  # type: ignore[arg-type]
