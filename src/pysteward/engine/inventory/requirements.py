"""pip requirements files (`requirements.txt`, `requirements/dev.txt`, `constraints.txt`, …).

The full pip syntax is read (see `_reqlines` for the line level): `-r`/`-c` includes, hashes, extras,
markers, `name @ url`, bare URLs and paths, editables, `${VAR}`, and pip's global options, which are
accepted and ignored. Nothing is resolved or fetched.

- **Includes** (`-r`): read in place, relative to the including file; each dependency keeps its own
  file and line. A file already on the include stack is not read again (a cycle is a warning).
- **Constraints** (`-c`): add nothing. A constraint `name==X` without a marker pins an unpinned
  requirement of the same name to X (when its specifier admits X), at the requirement's own line.
- **Direct**: in a pip-compile output (any `# via` annotation in the file), a requirement is direct when
  one of its vias is `-r …`/`-c …` or a project file such as `(pyproject.toml)`; in a hand-written file
  every requirement is direct.
- **Scopes**: taken from the file name. The stem is split at `-`, `_` and `.`; the words
  `requirements`, `requirement`, `reqs`, `req` and `constraints` are dropped and, for a file inside a
  `requirements/` directory, the stem itself counts. Each remaining word naming a non-runtime use gives
  that scope (`dev`, `test`, `docs`, `lint`, `typing`, `build`, `ci`, `bench`, `e2e`, `tools`; synonyms
  such as `development`, `tests`, `doc`, `mypy` are folded). No such word gives `main`, so `base`,
  `prod` and `py311` stay `main`.
- **Errors**: every bad line of the file and its includes is collected; one is raised as is, several as
  `InputErrors`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from pysteward.engine.inventory._files import read_text
from pysteward.engine.inventory._reqlines import (
    LogicalLine,
    OptionKind,
    ParsedOption,
    build_dependency,
    expand_env,
    logical_lines,
    parse_options,
    split_options,
    via_items,
)
from pysteward.engine.inventory.interface import InventoryError, Parser
from pysteward.engine.model import (
    MAIN_SCOPE,
    Dependency,
    Location,
    Manifest,
    PinnedDependency,
    UnpinnedDependency,
    normalize,
)
from pysteward.errors import InputError, InputErrors

__all__ = ["RequirementsParser", "scopes_for"]

_IGNORED_WORDS = frozenset({"requirements", "requirement", "reqs", "req", "constraints", "constraint"})
_SCOPE_WORDS = {
    "dev": "dev",
    "devel": "dev",
    "develop": "dev",
    "development": "dev",
    "test": "test",
    "tests": "test",
    "testing": "test",
    "doc": "docs",
    "docs": "docs",
    "documentation": "docs",
    "lint": "lint",
    "linting": "lint",
    "linters": "lint",
    "style": "lint",
    "typing": "typing",
    "types": "typing",
    "mypy": "typing",
    "build": "build",
    "ci": "ci",
    "bench": "bench",
    "benchmark": "bench",
    "benchmarks": "bench",
    "e2e": "e2e",
    "tools": "tools",
    "tooling": "tools",
}
_REQUIREMENT_DIRS = frozenset({"requirements", "reqs"})
_DIRECT_VIA_SUFFIXES = ("(pyproject.toml)", "(setup.py)", "(setup.cfg)")
_LEADING_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?![A-Za-z0-9._$-])")


def scopes_for(path: Path) -> tuple[str, ...]:
    """The scopes a requirements file's name implies (see the module docstring for the rule)."""
    words = [word for word in re.split(r"[-_.]", path.stem.lower()) if word not in _IGNORED_WORDS]
    scopes = {_SCOPE_WORDS[word] for word in words if word in _SCOPE_WORDS}
    return tuple(sorted(scopes)) or (MAIN_SCOPE,)


class RequirementsParser(Parser):
    """Reads a pip requirements file and everything it includes."""

    kind: ClassVar[str] = "requirements"
    patterns: ClassVar[tuple[str, ...]] = (
        "requirements.txt",
        "requirements-*.txt",
        "requirements_*.txt",
        "*-requirements.txt",
        "*requirements*.txt",
        "constraints.txt",
        "requirements.in",
    )
    is_lock: ClassVar[bool] = False

    def claims(self, path: Path) -> bool:
        """The usual names, and any `*.txt` inside a directory named `requirements` (or `reqs`)."""
        if path.suffix.lower() == ".txt" and path.parent.name.lower() in _REQUIREMENT_DIRS:
            return True
        return super().claims(path)

    def parse(self, path: Path) -> Manifest:
        """Read `path` and its includes; raise `InventoryError`/`InputErrors` listing every bad line."""
        reader = _Reader()
        reader.read(path, constraint=False)
        if len(reader.errors) == 1:
            raise reader.errors[0]
        if reader.errors:
            raise InputErrors(f"{path}: {len(reader.errors)} invalid lines", reader.errors)
        return Manifest(
            path=path,
            kind=self.kind,
            dependencies=reader.dependencies(),
            is_lock=self.is_lock,
            warnings=tuple(reader.warnings),
        )


@dataclass(slots=True)
class _Entry:
    """A dependency while its file is still being read (pip-compile annotations follow it)."""

    dependency: Dependency
    vias: list[str] | None = None


@dataclass(slots=True)
class _FileState:
    """What reading one file needs to remember between lines."""

    path: Path
    constraint: bool
    scopes: tuple[str, ...]
    entries: list[_Entry] = field(default_factory=list)
    last: _Entry | None = None
    """The entry the next comment lines may annotate."""
    in_via: bool = False


class _Reader:
    """One parse: the include stack, and everything found so far."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.constraints: dict[str, tuple[PinnedDependency, Location]] = {}
        self.errors: list[InputError] = []
        self.warnings: list[str] = []
        self._stack: list[tuple[Path, Path]] = []
        self._done: set[tuple[Path, bool]] = set()

    def read(self, path: Path, *, constraint: bool, origin: Location | None = None) -> None:
        """Read one file (the top one, or an include named at `origin`)."""
        key = path.resolve()
        resolved = [entry for entry, _ in self._stack]
        if key in resolved:
            cycle = " -> ".join(str(shown) for _, shown in self._stack[resolved.index(key) :])
            self.warnings.append(f"{origin}: include cycle {cycle} -> {path}; not read again")
            return
        if (key, constraint) in self._done:
            return
        self._done.add((key, constraint))
        try:
            text = read_text(path)
        except InventoryError as e:
            if origin is None:
                raise
            self.errors.append(e)
            return
        state = _FileState(path, constraint, scopes_for(path))
        self._stack.append((key, path))
        for line in logical_lines(text):
            try:
                self._line(state, line)
            except InventoryError as e:
                self.errors.append(e)
                state.last, state.in_via = None, False
        self._stack.pop()
        self._finish(state)

    def dependencies(self) -> tuple[Dependency, ...]:
        """Every requirement read, constraints applied, in file order with includes in place."""
        return tuple(self._constrained(entry.dependency) for entry in self.entries)

    def _line(self, state: _FileState, line: LogicalLine) -> None:
        if not line.text.strip():
            if line.comment is None:
                # A blank line ends any annotation block.
                state.last, state.in_via = None, False
            else:
                self._comment(state, line.comment)
            return
        state.last, state.in_via = None, False
        location = Location(state.path, line.number)
        text, unset = expand_env(line.text)
        self.warnings.extend(f"{location}: environment variable {name} is not set" for name in unset)
        requirement, option_text = split_options(text)
        options, stray = parse_options(option_text, location)
        if stray:
            self.warnings.append(f"{location}: text after the options is ignored: {' '.join(stray)!r}")
        if requirement:
            self._requirement(state, requirement, options, location, unset=bool(unset))
        else:
            self._options(state, options, location)
        if line.comment is not None:
            self._comment(state, line.comment)

    def _requirement(
        self,
        state: _FileState,
        text: str,
        options: list[ParsedOption],
        location: Location,
        *,
        unset: bool,
    ) -> None:
        for option in options:
            if option.kind in (OptionKind.INCLUDE, OptionKind.CONSTRAINT, OptionKind.EDITABLE):
                raise _error(location, f"option {option.name} cannot follow a requirement")
        hashes = _hashes(options)
        if unset:
            dependency = _unresolved(text, location, state.scopes, hashes)
            if dependency is None:
                self.warnings.append(
                    f"{location}: cannot tell the project name of {text!r} while a variable is unset; "
                    "the line is skipped"
                )
                return
        else:
            dependency = build_dependency(
                text, location, base=state.path.parent, scopes=state.scopes, hashes=hashes
            )
        self._add(state, dependency)

    def _options(self, state: _FileState, options: list[ParsedOption], location: Location) -> None:
        hashes = _hashes(options)
        for option in options:
            value = option.value or ""
            if option.kind is OptionKind.INCLUDE:
                self._include(state, value, location, constraint=state.constraint)
            elif option.kind is OptionKind.CONSTRAINT:
                self._include(state, value, location, constraint=True)
            elif option.kind is OptionKind.EDITABLE:
                dependency = build_dependency(
                    value,
                    location,
                    base=state.path.parent,
                    scopes=state.scopes,
                    hashes=hashes,
                    editable=True,
                )
                self._add(state, dependency)
        if hashes and not any(option.kind is OptionKind.EDITABLE for option in options):
            self.warnings.append(
                f"{location}: --hash without a requirement is ignored (is a line continuation missing?)"
            )

    def _include(self, state: _FileState, value: str, location: Location, *, constraint: bool) -> None:
        what = "constraints" if constraint else "requirements"
        if "://" in value:
            raise _error(location, f"cannot read remote {what} file {value!r}; include a local copy")
        target = state.path.parent / value
        if not target.is_file():
            raise _error(location, f"{what} file {value!r} not found")
        self.read(target, constraint=constraint, origin=location)

    def _add(self, state: _FileState, dependency: Dependency) -> None:
        if state.constraint:
            if isinstance(dependency, PinnedDependency) and dependency.marker is None:
                self.constraints[dependency.name] = (dependency, dependency.location)
            return
        entry = _Entry(dependency)
        state.entries.append(entry)
        self.entries.append(entry)
        state.last = entry

    def _comment(self, state: _FileState, comment: str) -> None:
        """Attach pip-compile `# via` annotations to the requirement just read."""
        items = via_items(comment)
        if items is not None and state.last is not None:
            state.last.vias = [*(state.last.vias or []), *items]
            state.in_via = True
        elif state.in_via and state.last is not None and comment.startswith("  ") and comment.strip():
            state.last.vias = [*(state.last.vias or []), comment.strip()]
        else:
            state.in_via = False

    def _finish(self, state: _FileState) -> None:
        annotated = any(entry.vias is not None for entry in state.entries)
        for entry in state.entries:
            direct = _direct_via(entry.vias or []) if annotated else True
            entry.dependency = dataclasses.replace(entry.dependency, direct=direct)

    def _constrained(self, dependency: Dependency) -> Dependency:
        found = self.constraints.get(dependency.name)
        if found is None or not isinstance(dependency, UnpinnedDependency):
            return dependency
        pin, where = found
        if not dependency.specifier.contains(pin.version, prereleases=True):
            self.warnings.append(
                f"{dependency.location}: constraint {pin.display_name}=={pin.version} ({where}) "
                f"conflicts with {dependency.requirement!r}; left unpinned"
            )
            return dependency
        fields = {f.name: getattr(dependency, f.name) for f in dataclasses.fields(Dependency)}
        return PinnedDependency(version=pin.version, **fields)


def _hashes(options: list[ParsedOption]) -> tuple[str, ...]:
    return tuple(option.value for option in options if option.kind is OptionKind.HASH and option.value)


def _direct_via(vias: list[str]) -> bool:
    return any(via.startswith(("-r ", "-c ")) or via.endswith(_DIRECT_VIA_SUFFIXES) for via in vias)


def _unresolved(
    text: str, location: Location, scopes: tuple[str, ...], hashes: tuple[str, ...]
) -> Dependency | None:
    """A requirement that names an unset environment variable: its name, with no version claimed."""
    match = _LEADING_NAME.match(text)
    if match is None:
        return None
    return UnpinnedDependency(
        name=normalize(match.group(1)),
        display_name=match.group(1),
        location=location,
        direct=True,
        scopes=scopes,
        hashes=hashes,
        requirement=text,
    )


def _error(location: Location, message: str) -> InventoryError:
    return InventoryError(message, path=location.path, line=location.line)
