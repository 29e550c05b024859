"""What applying one upgrade means in one file: rewrite it, run its tool, or edit it by hand.

Requirements files are rewritten in place (`rewrite`). A lockfile is never edited: its tool resolves
the whole environment again, so Steward prints the command that moves the one package (`command`).
Other manifests (pyproject.toml, setup.cfg, …) pin by hand (`manual`).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum

from packaging.version import Version

from pysteward.engine.model import Location

__all__ = ["Action", "FileAction", "action_for"]


class Action(StrEnum):
    """How an upgrade is applied to one file."""

    REWRITE = "rewrite"
    """`steward fix --write` changes the pin in place."""
    COMMAND = "command"
    """The file's tool must run (the command is given when one is known)."""
    MANUAL = "manual"
    """Someone edits the file; the note says what to change."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FileAction:
    """One file's part of an upgrade."""

    location: Location
    kind: str
    """The manifest kind (`requirements`, `uv.lock`, …)."""
    action: Action
    command: str | None = None
    """The shell command to run in the file's directory, for `command` actions that have one."""
    note: str | None = None


_ALLOWS = "target {target}: the project's constraints must allow {raw}>={target}"
_COMMANDS: dict[str, tuple[str, str | None]] = {
    "uv.lock": ("uv lock --upgrade-package {pin}", None),
    "poetry.lock": ("poetry update {name}", _ALLOWS),
    "pdm.lock": ("pdm update {name}", _ALLOWS),
    "Pipfile.lock": ("pipenv update {name}", _ALLOWS),
    "installed": ("python -m pip install {pin}", "run it with the environment's Python"),
    "installed-metadata": ("python -m pip install {pin}", "run it with the environment's Python"),
}
"""Per lockfile or environment kind: the command that moves one package, and a note to go with it."""
_PYLOCK_NOTE = "regenerate pylock.toml with the tool that wrote it so that it pins {raw} {target}"


def action_for(kind: str, location: Location, name: str, target: Version) -> FileAction:
    """The action that moves `name` to `target` in the file at `location`, a manifest of `kind`."""
    if kind == "requirements":
        return FileAction(location=location, kind=kind, action=Action.REWRITE)
    command, note = _tool(kind, name, target)
    if command is None and note is None:
        note = f"pin {name}=={target} here by hand"
        return FileAction(location=location, kind=kind, action=Action.MANUAL, note=note)
    return FileAction(location=location, kind=kind, action=Action.COMMAND, command=command, note=note)


def _tool(kind: str, name: str, target: Version) -> tuple[str | None, str | None]:
    """The command and a note for `kind`; (None, None) for files edited by hand."""
    values = {
        "name": shlex.quote(name),
        "pin": shlex.quote(f"{name}=={target}"),
        "raw": name,
        "target": target,
    }
    if kind == "pylock.toml":
        return None, _PYLOCK_NOTE.format(**values)
    command, note = _COMMANDS.get(kind, (None, None))
    if command is None:
        return None, None
    return command.format(**values), None if note is None else note.format(**values)
