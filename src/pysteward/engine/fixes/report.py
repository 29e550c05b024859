"""A fix plan as text for people and as a JSON patch plan for tools; pure, the CLI owns the streams.

The JSON plan (`--plan FILE`) has this shape, `schema_version` bumped on breaking changes:

    {"schema_version": "1.0", "project": "…",
     "upgrades": [{"name", "from", "to", "clears": [ids], "crosses_major",
                   "files": [{"path", "line", "kind", "action": "rewrite"|"command"|"manual",
                              "command"?, "note"?}]}],
     "unfixable": [{"name", "version", "ids": [ids]}]}
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pysteward.engine.fixes.commands import Action, FileAction
from pysteward.engine.fixes.plan import FixPlan, Upgrade

__all__ = ["PLAN_SCHEMA_VERSION", "plan_json", "render_plan"]

PLAN_SCHEMA_VERSION = "1.0"

Relative = Callable[[Path], str]


def plan_json(plan: FixPlan, *, project: str, relative: Relative) -> dict[str, Any]:
    """The JSON patch plan; paths are shown through `relative`."""
    return {
        "schema_version": PLAN_SCHEMA_VERSION,
        "project": project,
        "upgrades": [_upgrade_json(u, relative) for u in plan.upgrades],
        "unfixable": [
            {"name": u.name, "version": str(u.version), "ids": list(u.ids)} for u in plan.unfixable
        ],
    }


def _upgrade_json(upgrade: Upgrade, relative: Relative) -> dict[str, Any]:
    return {
        "name": upgrade.name,
        "from": str(upgrade.current),
        "to": str(upgrade.target),
        "clears": list(upgrade.clears),
        "crosses_major": upgrade.crosses_major,
        "files": [_file_json(f, relative) for f in upgrade.files],
    }


def _file_json(action: FileAction, relative: Relative) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": relative(action.location.path),
        "line": action.location.line,
        "kind": action.kind,
        "action": action.action.value,
    }
    if action.command is not None:
        entry["command"] = action.command
    if action.note is not None:
        entry["note"] = action.note
    return entry


def render_plan(plan: FixPlan, *, relative: Relative) -> str:
    """The plan for a terminal: one paragraph per upgrade, then what cannot be fixed."""
    if plan.empty:
        return "No vulnerable pins: nothing to fix.\n"
    lines: list[str] = []
    if plan.upgrades:
        lines.append(f"{len(plan.upgrades)} upgrade(s) clear the vulnerabilities:")
    for upgrade in plan.upgrades:
        warning = "  [crosses a major version]" if upgrade.crosses_major else ""
        lines.append(f"  {upgrade.display_name} {upgrade.current} -> {upgrade.target}{warning}")
        lines.append(f"    clears {', '.join(upgrade.clears)}")
        lines.extend(f"    {_describe(action, relative)}" for action in upgrade.files)
    if plan.unfixable:
        lines.append("No safe version known:")
    lines.extend(f"  {u.name} {u.version}: {', '.join(u.ids)}" for u in plan.unfixable)
    return "\n".join(lines) + "\n"


def _describe(action: FileAction, relative: Relative) -> str:
    where = relative(action.location.path)
    if action.location.line is not None:
        where = f"{where}:{action.location.line}"
    match action.action:
        case Action.REWRITE:
            text = f"{where}: rewritten by --write"
        case Action.COMMAND if action.command is not None:
            directory = relative(action.location.path.parent)
            text = f"{where}: run `{action.command}` in {directory}"
        case _:
            return f"{where}: {action.note}"
    return f"{text} ({action.note})" if action.note else text
