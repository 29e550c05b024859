"""The action per kind of file: rewrite requirements, print the lock tool's command, or edit by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.fixes import Action, action_for
from pysteward.engine.model import Location

WHERE = Location(Path("proj/file"), 3)
ALLOWS = "target 2.0.1: the project's constraints must allow Django>=2.0.1"


@pytest.mark.parametrize(
    ("kind", "action", "command", "note"),
    [
        ("requirements", Action.REWRITE, None, None),
        ("uv.lock", Action.COMMAND, "uv lock --upgrade-package Django==2.0.1", None),
        ("poetry.lock", Action.COMMAND, "poetry update Django", ALLOWS),
        ("pdm.lock", Action.COMMAND, "pdm update Django", ALLOWS),
        ("Pipfile.lock", Action.COMMAND, "pipenv update Django", ALLOWS),
        (
            "pylock.toml",
            Action.COMMAND,
            None,
            "regenerate pylock.toml with the tool that wrote it so that it pins Django 2.0.1",
        ),
        (
            "installed",
            Action.COMMAND,
            "python -m pip install Django==2.0.1",
            "run it with the environment's Python",
        ),
        ("pyproject.toml", Action.MANUAL, None, "pin Django==2.0.1 here by hand"),
        ("setup.cfg", Action.MANUAL, None, "pin Django==2.0.1 here by hand"),
    ],
)
def test_each_kind_of_file_gets_its_own_action(
    kind: str, action: Action, command: str | None, note: str | None
) -> None:
    found = action_for(kind, WHERE, "Django", Version("2.0.1"))
    assert (found.location, found.kind, found.action, found.command, found.note) == (
        WHERE,
        kind,
        action,
        command,
        note,
    )


def test_commands_quote_names_for_the_shell() -> None:
    found = action_for("poetry.lock", WHERE, "odd;name", Version("1.0"))
    assert found.command == "poetry update 'odd;name'"
