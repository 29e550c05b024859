"""Python-2-only source code, and projects pinned to Python 2.

A file is evidence only when it fails to compile as Python 3 *and* shows a construct that exists
only in Python 2 (a print statement, `except X, e:`, backticks, ...): a plain syntax error is a bug,
not a sign of Python 2. Files are compiled, never executed, and only files that fail to compile are
read further, so a large Python 3 code base costs one `compile` per file.
"""

from __future__ import annotations

import io
import re
import tokenize
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.model import Location
from pysteward.engine.runtime._model import (
    DeclarationKind,
    RangeDeclaration,
    RuntimeDeclaration,
    VersionDeclaration,
)
from pysteward.engine.runtime.detect import admits_minor

__all__ = ["Python2Construct", "Python2Evidence", "find_python2_code", "pins_python2"]

MAX_FILES = 5_000
"""Python files compiled at most; enough to tell a Python 2 code base, bounded for a huge one."""
MAX_FILE_BYTES = 1024 * 1024
"""Larger files (generated code, data) are skipped."""


class Python2Construct(StrEnum):
    """Syntax that Python 2 accepts and Python 3 rejects."""

    PRINT_STATEMENT = "print statement"
    EXEC_STATEMENT = "exec statement"
    EXCEPT_COMMA = "except X, e"
    RAISE_COMMA = "raise E, message"
    BACKTICKS = "backtick repr"
    NOT_EQUAL_DIAMOND = "<> operator"
    OCTAL_LITERAL = "octal literal without 0o"
    LONG_LITERAL = "long integer literal"
    UR_STRING = "ur'' string prefix"


@dataclass(frozen=True, slots=True)
class Python2Evidence:
    """A file that does not compile as Python 3 and uses Python-2-only syntax; one per file."""

    location: Location
    """The file and the line of the first Python-2-only construct."""
    construct: Python2Construct
    """The first construct found."""
    text: str
    """That line, stripped."""
    constructs: tuple[Python2Construct, ...] = ()
    """Every distinct construct found in the file, in order of first appearance."""


_PATTERNS: tuple[tuple[Python2Construct, re.Pattern[str]], ...] = (
    (Python2Construct.PRINT_STATEMENT, re.compile(r"^\s*print(?:\s+[\w\"'`\[{-]|\s*>>)")),
    (Python2Construct.EXEC_STATEMENT, re.compile(r"^\s*exec\s+[\w\"']")),
    (
        Python2Construct.EXCEPT_COMMA,
        re.compile(r"^\s*except\s+(?:[\w.]+|\([^)]*\))\s*,\s*\w+\s*:"),
    ),
    (Python2Construct.RAISE_COMMA, re.compile(r"^\s*raise\s+[\w.]+\s*,")),
    (Python2Construct.BACKTICKS, re.compile(r"`")),
    (Python2Construct.NOT_EQUAL_DIAMOND, re.compile(r"<>")),
    (Python2Construct.OCTAL_LITERAL, re.compile(r"(?<![\w.])0\d*[1-9]\d*[lL]?(?![\w.])")),
    (Python2Construct.LONG_LITERAL, re.compile(r"(?<![\w.])(?:0[xX][0-9a-fA-F]+|\d+)[lL](?!\w)")),
    (Python2Construct.UR_STRING, re.compile(r"(?<!\w)[uU][rR]['\"]")),
)
_STRING = re.compile(r"(?P<prefix>[rRbBuUfF]{0,2})(?P<quote>'''|\"\"\"|'|\")")


def find_python2_code(project_dir: Path, files: Iterable[Path]) -> tuple[Python2Evidence, ...]:
    """Python-2-only constructs in the `.py` files among `files` (relative to `project_dir` or absolute)."""
    evidence: list[Python2Evidence] = []
    compiled = 0
    for file in files:
        path = file if file.is_absolute() else project_dir / file
        if path.suffix != ".py":
            continue
        if compiled >= MAX_FILES:
            break
        compiled += 1
        source = _read(path)
        found = None if source is None or _compiles(source, path) else _inspect(path, source)
        if found is not None:
            evidence.append(found)
    return tuple(evidence)


def _read(path: Path) -> bytes | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return None if b"\x00" in data else data


def _compiles(source: bytes, path: Path) -> bool:
    with warnings.catch_warnings():
        # Python 3 warns about things like invalid escapes while compiling; they are not our concern.
        warnings.simplefilter("ignore")
        try:
            compile(source, str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
        except (RecursionError, MemoryError):
            # Pathologically nested code: neither Python 3 nor Python 2 evidence worth the cost.
            return True
    return True


def _decode(source: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        # A file in an unknown encoding still has ASCII syntax worth inspecting.
        return source.decode("latin-1")


def _inspect(path: Path, source: bytes) -> Python2Evidence | None:
    original = _decode(source).splitlines()
    first: tuple[int, Python2Construct] | None = None
    constructs: dict[Python2Construct, None] = {}
    for number, code in enumerate(_code_lines(original), start=1):
        for construct, pattern in _PATTERNS:
            if pattern.search(code):
                first = first or (number, construct)
                constructs[construct] = None
    if first is None:
        return None
    number, construct = first
    return Python2Evidence(Location(path, number), construct, original[number - 1].strip(), tuple(constructs))


def _code_lines(lines: list[str]) -> list[str]:
    """The lines with comments removed and string contents emptied (prefixes and quotes kept)."""
    text = "\n".join(lines)
    out: list[str] = []
    index, open_quote = 0, ""
    while index < len(text):
        if open_quote:
            end = _string_end(text, index, open_quote)
            # Keep newlines inside strings so line numbers stay right.
            out.append("\n" * text.count("\n", index, end))
            index, open_quote = end, ""
            continue
        char = text[index]
        if char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        match = _STRING.match(text, index) if char in "'\"rRbBuUfF" else None
        if match and (index == 0 or not (text[index - 1].isalnum() or text[index - 1] == "_")):
            out.append(match.group(0) + match.group("quote")[:1])
            index, open_quote = match.end(), match.group("quote")
            continue
        out.append(char)
        index += 1
    return "".join(out).split("\n")


def _string_end(text: str, index: int, quote: str) -> int:
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if text.startswith(quote, index):
            return index + len(quote)
        if char == "\n" and len(quote) == 1:
            return index
        index += 1
    return len(text)


def _only_python2(declaration: RuntimeDeclaration) -> bool:
    if isinstance(declaration, VersionDeclaration):
        return declaration.version.major == 2
    if isinstance(declaration, RangeDeclaration):
        return _range_only_python2(declaration.specifier)
    return False


def _range_only_python2(specifier: SpecifierSet) -> bool:
    admits_two = any(admits_minor(specifier, f"2.{minor}") for minor in range(8))
    admits_three = any(admits_minor(specifier, f"3.{minor}") for minor in range(30))
    return admits_two and not admits_three and not specifier.contains(Version("4.0"), prereleases=True)


_PINNING = frozenset(
    {
        DeclarationKind.REQUIRES_PYTHON,
        DeclarationKind.POETRY,
        DeclarationKind.PYTHON_VERSION_FILE,
        DeclarationKind.RUNTIME_TXT,
        DeclarationKind.DOCKERFILE,
        DeclarationKind.CONDA,
        DeclarationKind.SETUP_CFG,
        DeclarationKind.SETUP_PY,
        DeclarationKind.PIPFILE,
    }
)
"""Kinds that say what a project runs on; test matrices and classifiers list what it supports."""


def pins_python2(declarations: Iterable[RuntimeDeclaration]) -> bool:
    """Whether the project is pinned to Python 2.

    True when a file that says what the project runs on (requires-python, .python-version,
    runtime.txt, a Dockerfile, ...) admits only 2.x, or when every declaration admits only 2.x.
    """
    declared = list(declarations)
    if not declared:
        return False
    by_file: dict[tuple[DeclarationKind, Path], list[RuntimeDeclaration]] = {}
    for declaration in declared:
        if declaration.kind in _PINNING:
            by_file.setdefault((declaration.kind, declaration.location.path), []).append(declaration)
    if any(all(_only_python2(d) for d in group) for group in by_file.values()):
        return True
    return all(_only_python2(d) for d in declared)
