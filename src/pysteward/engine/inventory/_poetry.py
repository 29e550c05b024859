"""Poetry's `[tool.poetry]` dependency tables, translated to PEP 440 / PEP 508.

Poetry writes constraints in its own syntax (https://python-poetry.org/docs/dependency-specification/):
`^1.2.3` (caret), `~1.2` (tilde), `*`, a bare version meaning exactly that version, `||` for "or",
commas or spaces for "and", and PEP 440 operators as they are. A dependency is a string, a table
(`version`, `extras`, `markers`, `python`, `optional`, `git`/`rev`/`branch`/`tag`, `path`/`develop`,
`url`), or a list of tables for "multiple constraints".
"""

from __future__ import annotations

import re
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pysteward.engine.inventory._requirement import dependency_from_requirement, parse_requirement, url_kind
from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.model import (
    Dependency,
    DirectReference,
    Location,
    SourceKind,
    UnpinnedDependency,
    normalize,
)

__all__ = ["poetry_alternatives", "poetry_dependency", "poetry_python_specifier"]

_OPERATOR = r"\^|~=|~|===|==|!=|<=|>=|<|>|="
_CLAUSE = re.compile(rf"\s*({_OPERATOR})?\s*([0-9A-Za-z*][0-9A-Za-z.*+!_-]*)\s*,?")
_COMMIT = re.compile(r"[0-9a-fA-F]{40}")


def _bumped(text: str, index_of: int | None) -> str:
    """The exclusive upper bound for a caret (`index_of` None) or tilde (index 1) constraint."""
    release = Version(text).release
    if index_of is None:
        nonzero = [i for i, part in enumerate(release) if part]
        index = nonzero[0] if nonzero else len(release) - 1
    else:
        index = min(index_of, len(release) - 1)
    upper = [*release[:index], release[index] + 1, *([0] * (len(release) - index - 1))]
    return ".".join(str(part) for part in upper)


def _clause(operator: str | None, version: str) -> str:
    if version == "*":
        return ""
    if operator == "^":
        return f">={version},<{_bumped(version, None)}"
    if operator == "~":
        return f">={version},<{_bumped(version, 1)}"
    if operator in (None, "="):
        return f"=={version}"
    return f"{operator}{version}"


def _conjunction(text: str) -> str:
    """One `||`-free constraint as a PEP 440 specifier string (`""` for any version)."""
    clauses: list[str] = []
    position = 0
    stripped = text.strip()
    while position < len(stripped):
        match = _CLAUSE.match(stripped, position)
        if not match or match.end() == position:
            raise ValueError(f"cannot read {stripped[position:]!r}")
        clauses.append(_clause(match.group(1), match.group(2)))
        position = match.end()
    specifier = ",".join(clause for clause in clauses if clause)
    SpecifierSet(specifier)  # raises InvalidSpecifier for forms PEP 440 cannot hold
    return specifier


def poetry_alternatives(constraint: str) -> list[str]:
    """The PEP 440 specifier of each `||` alternative of a poetry constraint; ValueError if unreadable."""
    try:
        return [_conjunction(part) for part in re.split(r"\|\|?", constraint)]
    except (InvalidVersion, InvalidSpecifier) as e:
        raise ValueError(str(e)) from None


def poetry_python_specifier(constraint: object, location: Location) -> SpecifierSet | None:
    """The `python` entry of `[tool.poetry.dependencies]` as a specifier; None for `a || b`."""
    if not isinstance(constraint, str):
        raise InventoryError("the python constraint must be a string", path=location.path, line=location.line)
    alternatives = _alternatives(constraint, location)
    return SpecifierSet(alternatives[0]) if len(alternatives) == 1 else None


def _alternatives(constraint: str, location: Location) -> list[str]:
    try:
        return poetry_alternatives(constraint)
    except ValueError as e:
        raise InventoryError(
            f"invalid poetry constraint {constraint!r}: {e}", path=location.path, line=location.line
        ) from None


def _python_marker(constraint: str, location: Location) -> str:
    """`python = "^3.8"` in a dependency table as a PEP 508 marker."""
    alternatives = []
    for specifier in _alternatives(constraint, location):
        clauses = [
            f'python_full_version {clause.operator} "{clause.version}"' for clause in SpecifierSet(specifier)
        ]
        alternatives.append(" and ".join(clauses) or 'python_version >= "0"')
    return " or ".join(f"({alternative})" for alternative in alternatives)


def _reference(name: str, table: dict[str, Any], location: Location, scopes: tuple[str, ...]) -> Dependency:
    common: dict[str, Any] = {
        "name": normalize(name),
        "display_name": name,
        "location": location,
        "direct": True,
        "scopes": scopes,
        "extras": tuple(sorted(str(extra) for extra in table.get("extras", ()))),
    }
    if "git" in table:
        url = str(table["git"])
        url = url if url.startswith("git+") else f"git+{url}"
        ref = next((str(table[key]) for key in ("rev", "tag", "branch") if key in table), None)
        commit = ref if ref and _COMMIT.fullmatch(ref) else None
        return DirectReference(
            kind=SourceKind.VCS, url=f"{url}@{ref}" if ref else url, commit=commit, **common
        )
    if "path" in table:
        kind = SourceKind.EDITABLE if table.get("develop") else SourceKind.PATH
        return DirectReference(kind=kind, url=str(table["path"]), **common)
    url = str(table["url"])
    return DirectReference(kind=url_kind(url), url=url, **common)


def _requirement_text(name: str, value: object, location: Location) -> str:
    """The PEP 508 text of a string or table dependency without a git/path/url source."""
    table: dict[str, Any] = value if isinstance(value, dict) else {"version": value}
    constraint = table.get("version", "*")
    if not isinstance(constraint, str):
        raise InventoryError(f"{name}: the version must be a string", path=location.path, line=location.line)
    alternatives = _alternatives(constraint, location)
    specifier = alternatives[0] if len(alternatives) == 1 else ""
    extras = table.get("extras") or []
    if not isinstance(extras, list):
        raise InventoryError(f"{name}: extras must be a list", path=location.path, line=location.line)
    text = f"{name}[{','.join(map(str, extras))}]" if extras else name
    markers = [f"({table['markers']})"] if table.get("markers") else []
    if table.get("python"):
        markers.append(_python_marker(str(table["python"]), location))
    return f"{text}{specifier}" + (f"; {' and '.join(markers)}" if markers else "")


def _single(name: str, value: object, location: Location, scopes: tuple[str, ...]) -> Dependency:
    if isinstance(value, dict):
        if value.get("optional"):
            scopes = ("optional",)
        if any(key in value for key in ("git", "path", "url")):
            return _reference(name, value, location, scopes)
    elif not isinstance(value, str):
        raise InventoryError(
            f"{name}: expected a constraint string or table", path=location.path, line=location.line
        )
    text = _requirement_text(name, value, location)
    requirement = parse_requirement(text, location)
    return dependency_from_requirement(requirement, location, scopes=scopes)


def poetry_dependency(name: str, value: object, location: Location, scopes: tuple[str, ...]) -> Dependency:
    """The dependency one `name = …` entry of a poetry table declares.

    A constraint with `||`, or a list of constraint tables, admits versions no single specifier can
    describe; it is reported unpinned, with the union of the alternatives as its requirement text.
    """
    if isinstance(value, list) or (isinstance(value, str) and "|" in value):
        parts = (
            value if isinstance(value, list) else [{"version": part} for part in re.split(r"\|\|?", value)]
        )
        dependencies = [_single(name, part, location, scopes) for part in parts]
        return UnpinnedDependency(
            name=normalize(name),
            display_name=name,
            location=location,
            direct=True,
            scopes=tuple(sorted({scope for dependency in dependencies for scope in dependency.scopes})),
            extras=tuple(sorted({extra for dependency in dependencies for extra in dependency.extras})),
            requirement=" || ".join(dependency.requirement or name for dependency in dependencies),
        )
    return _single(name, value, location, scopes)
