"""The syntax of pip requirements files: lines, options, and the requirement forms beyond PEP 508.

pip's own reader (`pip/_internal/req/req_file.py`) is the reference for what this module accepts:

- a physical line ending in a backslash continues on the next one, unless it is a comment line; a
  backslash on the last line of the file simply ends it;
- a comment starts at a `#` at the start of the line or after whitespace, so URL fragments such as
  `#egg=name` or `#sha256=…` are not comments;
- `${NAME}` (NAME of `[A-Z0-9_]` only) is replaced by the environment variable, when it is set;
- the requirement is the text before the first whitespace-separated token starting with `-`; the rest
  is options, split like a shell command line;
- besides PEP 508 (`name[extra]==1.0; marker`, `name @ url`), a requirement may be a bare URL or local
  path: the name comes from `#egg=name`, else a wheel or sdist file name, else (local paths) the
  directory name.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from pysteward.engine.inventory._requirement import (
    dependency_from_requirement,
    parse_requirement,
    url_kind,
)
from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.model import Dependency, DirectReference, Location, SourceKind, normalize

__all__ = [
    "LogicalLine",
    "OptionKind",
    "ParsedOption",
    "build_dependency",
    "expand_env",
    "logical_lines",
    "parse_options",
    "split_options",
    "via_items",
]

_COMMENT = re.compile(r"(?:^|\s)#(.*)$", re.DOTALL)
_COMMENT_LINE = re.compile(r"^\s*#")
# pip expands only upper-case POSIX-style names, so `$HOME` and `${home}` stay as written.
_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
_OPTION_START = re.compile(r"(?:^|\s)-")
_VIA = re.compile(r"^\s*via(?:\s+(.*))?$", re.DOTALL)
_HASH_VALUE = re.compile(r"^[A-Za-z0-9_-]+:\S+$")
_NAME_AT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@")
_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|file:|(?:git|hg|svn|bzr)\+)", re.IGNORECASE)
_EXTRAS = re.compile(r"^(.+?)\[([^\]]*)\]$")
_VALID_NAME = re.compile(r"^(?:[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_ARCHIVES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar")
_URL_HASHES = frozenset({"sha1", "sha224", "sha256", "sha384", "sha512", "md5"})


@dataclass(frozen=True, slots=True)
class LogicalLine:
    """One logical line: physical lines joined at backslashes, its comment split off."""

    number: int
    """The first physical line (1-based)."""
    text: str
    """The content before the comment, not stripped."""
    comment: str | None
    """The text after the comment's `#`, or None when the line has no comment."""


def logical_lines(text: str) -> Iterator[LogicalLine]:
    """The file's logical lines in order, blank and comment-only lines included."""
    parts: list[str] = []
    first = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        is_comment = _COMMENT_LINE.match(raw) is not None
        if raw.endswith("\\") and not is_comment:
            if not parts:
                first = number
            parts.append(raw[:-1])
            continue
        if parts:
            # A comment line ends a continued line; the space keeps it a comment once joined.
            parts.append(" " + raw if is_comment else raw)
            yield _split_comment(first, "".join(parts))
            parts = []
        else:
            yield _split_comment(number, raw)
    if parts:
        yield _split_comment(first, "".join(parts))


def _split_comment(number: int, line: str) -> LogicalLine:
    match = _COMMENT.search(line)
    if match is None:
        return LogicalLine(number, line, None)
    return LogicalLine(number, line[: match.start()], match.group(1))


def expand_env(text: str) -> tuple[str, tuple[str, ...]]:
    """`text` with set `${NAME}` variables replaced, and the names of the unset ones (left as written)."""
    unset: list[str] = []

    def replace(match: re.Match[str]) -> str:
        value = os.environ.get(match.group(1))
        if value is None:
            if match.group(1) not in unset:
                unset.append(match.group(1))
            return match.group(0)
        return value

    return _ENV_VAR.sub(replace, text), tuple(unset)


def split_options(text: str) -> tuple[str, str]:
    """(requirement, options): the split happens at the first whitespace-separated token starting with `-`."""
    match = _OPTION_START.search(text)
    if match is None:
        return text.strip(), ""
    return text[: match.start()].strip(), text[match.start() :].strip()


class OptionKind(StrEnum):
    """What an option means to an inventory."""

    INCLUDE = "include"
    CONSTRAINT = "constraint"
    EDITABLE = "editable"
    HASH = "hash"
    PER_REQUIREMENT = "per-requirement"
    """Build options that change how, not what, is installed (`--config-settings`)."""
    GLOBAL = "global"
    """Index, resolver and install options that do not change which packages are named."""


# Every option pip accepts in a requirements file, plus a few it dropped that old files still carry;
# the flag says whether the option takes a value.
_OPTIONS: dict[str, tuple[OptionKind, bool]] = {
    "-r": (OptionKind.INCLUDE, True),
    "--requirement": (OptionKind.INCLUDE, True),
    "-c": (OptionKind.CONSTRAINT, True),
    "--constraint": (OptionKind.CONSTRAINT, True),
    "-e": (OptionKind.EDITABLE, True),
    "--editable": (OptionKind.EDITABLE, True),
    "--hash": (OptionKind.HASH, True),
    "--global-option": (OptionKind.PER_REQUIREMENT, True),
    "--install-option": (OptionKind.PER_REQUIREMENT, True),
    "--config-settings": (OptionKind.PER_REQUIREMENT, True),
    "-C": (OptionKind.PER_REQUIREMENT, True),
    "-i": (OptionKind.GLOBAL, True),
    "--index-url": (OptionKind.GLOBAL, True),
    "--extra-index-url": (OptionKind.GLOBAL, True),
    "-f": (OptionKind.GLOBAL, True),
    "--find-links": (OptionKind.GLOBAL, True),
    "--trusted-host": (OptionKind.GLOBAL, True),
    "--only-binary": (OptionKind.GLOBAL, True),
    "--no-binary": (OptionKind.GLOBAL, True),
    "--use-feature": (OptionKind.GLOBAL, True),
    "--allow-external": (OptionKind.GLOBAL, True),
    "--allow-unverified": (OptionKind.GLOBAL, True),
    "--no-index": (OptionKind.GLOBAL, False),
    "--pre": (OptionKind.GLOBAL, False),
    "--prefer-binary": (OptionKind.GLOBAL, False),
    "--require-hashes": (OptionKind.GLOBAL, False),
    "-Z": (OptionKind.GLOBAL, False),
    "--always-unzip": (OptionKind.GLOBAL, False),
    "--allow-all-external": (OptionKind.GLOBAL, False),
    "--process-dependency-links": (OptionKind.GLOBAL, False),
}


@dataclass(frozen=True, slots=True)
class ParsedOption:
    """One option of a line, as written (`-r`, `--hash`) with its value."""

    name: str
    kind: OptionKind
    value: str | None


_SHELL_SPECIAL = frozenset("\"'\\#")


def parse_options(text: str, location: Location) -> tuple[list[ParsedOption], list[str]]:
    """The options in `text`, and the stray words after them (which pip ignores).

    Accepts `--opt=value`, `--opt value`, `-xvalue`, `-x=value` and `-x value`, as pip's optparse does.
    """
    try:
        # Without quotes or escapes shlex splits on whitespace only, and str.split is ~30x faster
        # (pip-compile output carries thousands of `--hash` options).
        tokens = text.split() if not _SHELL_SPECIAL.intersection(text) else shlex.split(text)
    except ValueError as e:
        raise _error(location, f"cannot split options {text!r}: {str(e).lower()}") from None
    options: list[ParsedOption] = []
    stray: list[str] = []
    index = 0
    while index < len(tokens):
        word = tokens[index]
        index += 1
        if not word.startswith("-") or word == "-":
            stray.append(word)
            continue
        name, attached = _option_name(word)
        kind, takes_value = _lookup(name, location)
        if not takes_value:
            if attached is not None:
                raise _error(location, f"option {name} takes no value")
            options.append(ParsedOption(name, kind, None))
            continue
        if attached is None:
            if index == len(tokens):
                raise _error(location, f"option {name} needs a value")
            attached = tokens[index]
            index += 1
        if kind is OptionKind.EDITABLE and tokens[index : index + 1] == ["@"] and index + 1 < len(tokens):
            # `-e name @ url`: shlex split the PEP 508 form into three words.
            attached = f"{attached} @ {tokens[index + 1]}"
            index += 2
        options.append(ParsedOption(name, kind, _checked(name, kind, attached, location)))
    return options, stray


def _option_name(token: str) -> tuple[str, str | None]:
    """Split `--opt=value` / `-xvalue` / `-x=value` into the option and its attached value."""
    if token.startswith("--"):
        name, equals, value = token.partition("=")
        return name, value if equals else None
    rest = token[2:]
    if not rest:
        return token, None
    return token[:2], rest.removeprefix("=")


def _lookup(name: str, location: Location) -> tuple[OptionKind, bool]:
    try:
        return _OPTIONS[name]
    except KeyError:
        raise _error(location, f"unknown option {name}") from None


def _checked(name: str, kind: OptionKind, value: str, location: Location) -> str:
    # pip rejects a hash that is not `algorithm:digest`; accepting it would record a hash no tool can check.
    if kind is OptionKind.HASH and not _HASH_VALUE.match(value):
        raise _error(location, f"invalid {name} value {value!r}: expected algorithm:digest")
    if not value.strip():
        raise _error(location, f"option {name} needs a value")
    return value


def via_items(comment: str) -> list[str] | None:
    """The items of a pip-compile `via` annotation (`via -r requirements.in, flask`), or None."""
    match = _VIA.match(comment)
    if match is None:
        return None
    rest = match.group(1) or ""
    return [item.strip() for item in rest.split(",") if item.strip()]


def _error(location: Location, message: str) -> InventoryError:
    return InventoryError(message, path=location.path, line=location.line)


def build_dependency(
    text: str,
    location: Location,
    *,
    base: Path,
    scopes: tuple[str, ...],
    hashes: tuple[str, ...] = (),
    editable: bool = False,
) -> Dependency:
    """The dependency one requirement stands for; local paths are relative to `base`."""
    if _NAME_AT.match(text) or not _is_reference(text):
        requirement = parse_requirement(text, location)
        dependency = dependency_from_requirement(
            requirement, location, text=text, scopes=scopes, hashes=hashes
        )
        if isinstance(dependency, DirectReference):
            return _refined(dependency, editable=editable)
        if editable:
            raise _error(location, f"invalid editable requirement {text!r}: expected a local path or a URL")
        return dependency
    return _reference(text, location, base=base, scopes=scopes, hashes=hashes, editable=editable)


def _is_reference(text: str) -> bool:
    """Whether `text` is a bare URL or local path rather than a PEP 508 requirement (as pip decides)."""
    head = re.split(r"[\s;]", text.strip(), maxsplit=1)[0]
    if _URL.match(head) or head.startswith((".", "/", "~")) or "/" in head or "\\" in head:
        return True
    match = _EXTRAS.match(head)
    return (match.group(1) if match else head).lower().endswith(_ARCHIVES)


def _refined(dependency: DirectReference, *, editable: bool) -> DirectReference:
    """Add what the URL itself says: the VCS revision, a `#sha256=` hash; mark editables."""
    url_hashes = tuple(h for h in _fragment_hashes(dependency.url) if h not in dependency.hashes)
    return replace(
        dependency,
        kind=SourceKind.EDITABLE if editable else dependency.kind,
        commit=_vcs_revision(dependency.url),
        hashes=dependency.hashes + url_hashes,
    )


def _reference(
    text: str,
    location: Location,
    *,
    base: Path,
    scopes: tuple[str, ...],
    hashes: tuple[str, ...],
    editable: bool,
) -> DirectReference:
    """A bare URL or path requirement: `https://…/pkg-1.0.tar.gz#egg=pkg`, `./pkg[extra]`, `-e .`."""
    is_url = _URL.match(text) is not None
    # pip splits a URL's marker at "; " because a bare ";" may belong to the URL.
    spec, _, marker_text = text.partition("; " if is_url else ";")
    spec = spec.strip()
    extras: tuple[str, ...] = ()
    match = _EXTRAS.match(spec)
    if match is not None and not is_url:
        spec, extras = match.group(1), _split_extras(match.group(2))
    try:
        marker = Marker(marker_text) if marker_text.strip() else None
    except InvalidMarker as e:
        raise _error(location, f"invalid requirement {text!r}: {_reason(e)}") from None
    display, version = _name_and_version(spec, location, base=base, is_url=is_url)
    dependency = DirectReference(
        name=normalize(display),
        display_name=display,
        location=location,
        direct=True,
        scopes=scopes,
        marker=marker,
        extras=extras,
        hashes=hashes,
        requirement=text,
        kind=url_kind(spec),
        url=spec,
        version=version,
    )
    return _refined(dependency, editable=editable)


def _name_and_version(
    spec: str, location: Location, *, base: Path, is_url: bool
) -> tuple[str, Version | None]:
    """From `#egg=`, else the wheel or sdist file name, else a local directory's name."""
    target, _, fragment = spec.partition("#")
    egg = parse_qs(fragment).get("egg", [""])[0]
    if egg:
        match = _EXTRAS.match(egg)
        name = match.group(1) if match else egg
        if _VALID_NAME.match(name):
            return name, None
        raise _error(location, f"invalid requirement {spec!r}: invalid project name {name!r} in #egg=")
    local = unquote(urlsplit(target).path) if is_url else target
    filename = re.split(r"[/\\]", local.rstrip("/\\"))[-1]
    if filename.lower().endswith(".whl"):
        try:
            _, version, _, _ = parse_wheel_filename(filename)
        except InvalidWheelFilename as e:
            raise _error(location, f"invalid requirement {spec!r}: {_reason(e)}") from None
        return filename.split("-", 1)[0], version
    try:
        _, sdist_version = parse_sdist_filename(filename)
        return filename.rpartition("-")[0], sdist_version
    except InvalidSdistFilename:
        pass
    if not is_url or target.lower().startswith("file:"):
        directory = (base / local).resolve().name if local else ""
        if _VALID_NAME.match(directory):
            return directory, None
    raise _error(
        location,
        f"cannot tell the project name of {spec!r}: add '#egg=name' or write it as 'name @ url'",
    )


def _split_extras(text: str) -> tuple[str, ...]:
    return tuple(sorted({extra.strip() for extra in text.split(",") if extra.strip()}))


def _fragment_hashes(url: str) -> tuple[str, ...]:
    """`#sha256=…` and friends in a URL's fragment, as `algorithm:digest`."""
    fragment = url.partition("#")[2]
    return tuple(
        f"{algorithm}:{value}"
        for algorithm, values in parse_qs(fragment).items()
        if algorithm in _URL_HASHES
        for value in values
    )


def _vcs_revision(url: str) -> str | None:
    """The `@rev` of a VCS URL (`git+https://host/repo.git@v1.2`), or None."""
    if url_kind(url) is not SourceKind.VCS:
        return None
    path = urlsplit(url.partition("+")[2].partition("#")[0]).path
    if "@" not in path:
        return None
    return path.rsplit("@", 1)[1] or None


def _reason(error: Exception) -> str:
    return str(error).splitlines()[0].rstrip(".")
