"""Rewriting pins in requirements files in place, touching nothing but the changed requirements.

A pin is found at the line the inventory recorded for it (the first physical line of its logical
line). Within that logical line (backslash continuations included) only the version after `==` or
`===` before the marker and options changes; comments, markers, extras, spacing and every other line
stay byte for byte. When the requirement carries `--hash` options they are removed, since they
belong to the old version's files: pip's hash-checking mode then refuses the file until the hashes
are generated again, which the caller must say. An included (`-r`) file is rewritten in its own file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName
from packaging.version import InvalidVersion, Version

from pysteward.engine.fixes.commands import Action
from pysteward.engine.fixes.plan import FixPlan
from pysteward.engine.model import normalize
from pysteward.errors import InputError

__all__ = ["FileRewrite", "PinEdit", "apply_rewrites", "plan_rewrites", "rewrite_text"]

_COMMENT = re.compile(r"(?:^|\s)#")
_COMMENT_LINE = re.compile(r"^\s*#")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_REQUIREMENT_END = re.compile(r";|(?:^|\s)-")
_PIN = re.compile(r"(===?)(\s*)(v?[0-9][A-Za-z0-9._+!-]*)(?![A-Za-z0-9._+!*-])")
_HASH = re.compile(r"\s*--hash(?:=|\s+)[^\s\\]+")
_GENERATORS = ("pip-compile", "uv pip compile")
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class PinEdit:
    """Change the pin of `name` at `line` (1-based) from `current` to `target`."""

    line: int
    name: NormalizedName
    current: Version
    target: Version


@dataclass(frozen=True, slots=True, kw_only=True)
class FileRewrite:
    """One requirements file before and after its pins were changed."""

    path: Path
    before: str
    after: str
    hashes_removed: tuple[NormalizedName, ...] = ()
    """Packages whose `--hash` options were dropped: the file's hashes must be generated again."""
    missed: tuple[PinEdit, ...] = ()
    """Edits with no `==current` pin at their line (a constraints file pins it, say): left to the user."""
    generated: bool = False
    """The file says pip-compile (or uv pip compile) wrote it: its input should be upgraded too."""

    @property
    def changed(self) -> bool:
        """Whether the rewrite changes the file."""
        return self.before != self.after

    def diff(self, label: str) -> str:
        """A unified diff of the change, the file shown as `label`."""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=f"a/{label}",
            tofile=f"b/{label}",
        )
        return "".join(
            line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
        )


def rewrite_text(
    text: str, edits: Iterable[PinEdit]
) -> tuple[str, tuple[NormalizedName, ...], tuple[PinEdit, ...]]:
    """`text` with `edits` applied: (new text, packages whose hashes were dropped, edits not applied)."""
    lines = text.splitlines(keepends=True)
    dropped: list[NormalizedName] = []
    missed: list[PinEdit] = []
    # From the bottom up, so dropping a hash line does not move the lines still to edit.
    for edit in sorted(set(edits), key=lambda e: e.line, reverse=True):
        start = edit.line - 1
        end = _span_end(lines, start)
        result = _edit_span(lines[start:end], edit) if 0 <= start < len(lines) else None
        if result is None:
            missed.append(edit)
            continue
        lines[start:end], hashed = result
        if hashed:
            dropped.append(edit.name)
    return "".join(lines), tuple(sorted(set(dropped))), tuple(sorted(missed, key=lambda e: e.line))


def _span_end(lines: Sequence[str], start: int) -> int:
    """The index after the last physical line of the logical line starting at `start` (as pip joins)."""
    index = start
    while index < len(lines) - 1 and _continues(lines[index]):
        index += 1
    return index + 1


def _continues(line: str) -> bool:
    body = line.rstrip("\r\n")
    return body.endswith("\\") and not _COMMENT_LINE.match(body)


def _split(line: str) -> tuple[str, str, str]:
    """(code, comment, line ending) of one physical line."""
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    match = _COMMENT.search(body)
    if match is None:
        return body, "", ending
    return body[: match.start()], body[match.start() :], ending


def _edit_span(span: Sequence[str], edit: PinEdit) -> tuple[list[str], bool] | None:
    """The span with the pin changed and its hashes dropped, and whether any were; None if no pin."""
    found = _NAME.match(span[0].lstrip(_BOM))
    if found is None or normalize(found.group(1)) != edit.name:
        return None
    parts = [_split(line) for line in span]
    changed = _repin(parts, edit)
    if not changed:
        return None
    hashed = any(_HASH.search(code) for code, _, _ in changed)
    if not hashed:
        return ["".join(part) for part in changed], False
    return _without_hashes(changed), True


def _repin(parts: list[tuple[str, str, str]], edit: PinEdit) -> list[tuple[str, str, str]] | None:
    """The parts with `==current` replaced in the requirement (before the marker and options)."""
    replaced = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal replaced
        try:
            same = Version(match.group(3)) == edit.current
        except InvalidVersion:
            same = False
        if not same:
            return match.group(0)
        replaced += 1
        return f"{match.group(1)}{match.group(2)}{edit.target}"

    result = []
    in_requirement = True
    for code, comment, ending in parts:
        new = code
        if in_requirement:
            end = _REQUIREMENT_END.search(code)
            cut = len(code) if end is None else end.start()
            new = _PIN.sub(swap, code[:cut]) + code[cut:]
            in_requirement = end is None
        result.append((new, comment, ending))
    return result if replaced else None


def _without_hashes(parts: list[tuple[str, str, str]]) -> list[str]:
    """Drop `--hash` options, then lines left empty, then a backslash with nothing left to continue."""
    kept: list[tuple[str, str, str]] = []
    for code, comment, ending in parts:
        left = _HASH.sub("", code)
        if not left.strip(" \t\\"):
            if not comment:
                continue
            left = ""
        kept.append((left, comment, ending))
    last_code = max(i for i, (code, _, _) in enumerate(kept) if code)
    code, comment, ending = kept[last_code]
    stripped = code.rstrip()
    if stripped.endswith("\\"):
        kept[last_code] = (stripped[:-1].rstrip(), comment, ending)
    return ["".join(part) for part in kept]


def plan_rewrites(plan: FixPlan) -> tuple[FileRewrite, ...]:
    """The rewrite of every requirements file the plan changes, read from disk, in path order."""
    edits: dict[Path, set[PinEdit]] = {}
    for upgrade in plan.upgrades:
        for action in upgrade.files:
            if action.action is Action.REWRITE and action.location.line is not None:
                edit = PinEdit(action.location.line, upgrade.name, upgrade.current, upgrade.target)
                edits.setdefault(action.location.path, set()).add(edit)
    return tuple(_rewrite(path, edits[path]) for path in sorted(edits))


def _rewrite(path: Path, edits: Iterable[PinEdit]) -> FileRewrite:
    before = _read(path)
    bom = _BOM if before.startswith(_BOM) else ""
    after, dropped, missed = rewrite_text(before.removeprefix(_BOM), edits)
    head = "\n".join(before.splitlines()[:20])
    return FileRewrite(
        path=path,
        before=before,
        after=bom + after,
        hashes_removed=dropped,
        missed=missed,
        generated=any(tool in head for tool in _GENERATORS),
    )


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8", path=path) from None


def apply_rewrites(rewrites: Iterable[FileRewrite]) -> tuple[Path, ...]:
    """Write every changed file; the paths written."""
    written = []
    for rewrite in rewrites:
        if rewrite.changed:
            try:
                rewrite.path.write_bytes(rewrite.after.encode("utf-8"))
            except OSError as e:
                raise InputError(f"cannot write: {e.strerror}", path=rewrite.path) from None
            written.append(rewrite.path)
    return tuple(written)
