"""The plan as text and as the JSON patch plan."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.fixes import (
    PLAN_SCHEMA_VERSION,
    Action,
    FileAction,
    FixPlan,
    Unfixable,
    Upgrade,
    plan_json,
    render_plan,
)
from pysteward.engine.model import Location

ROOT = Path("/srv/proj")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def plan() -> FixPlan:
    requirements = Location(ROOT / "requirements.txt", 2)
    lock = Location(ROOT / "sub" / "uv.lock", 10)
    pylock = Location(ROOT / "pylock.toml")
    gamma = Location(ROOT / "pyproject.toml", 7)
    return FixPlan(
        upgrades=(
            Upgrade(
                name=NormalizedName("alpha"),
                display_name="Alpha",
                current=Version("1.1.0"),
                target=Version("1.2.0"),
                clears=("PYSEC-2099-101",),
                crosses_major=False,
                locations=(requirements, lock, pylock),
                files=(
                    FileAction(location=requirements, kind="requirements", action=Action.REWRITE),
                    FileAction(
                        location=lock,
                        kind="uv.lock",
                        action=Action.COMMAND,
                        command="uv lock --upgrade-package alpha==1.2.0",
                    ),
                    FileAction(location=pylock, kind="pylock.toml", action=Action.COMMAND, note="regenerate"),
                ),
            ),
            Upgrade(
                name=NormalizedName("gamma"),
                display_name="gamma",
                current=Version("2.9"),
                target=Version("3.0.0"),
                clears=("PYSEC-2099-104", "PYSEC-2099-199"),
                crosses_major=True,
                locations=(gamma,),
                files=(
                    FileAction(
                        location=gamma,
                        kind="poetry.lock",
                        action=Action.COMMAND,
                        command="poetry update gamma",
                        note="target 3.0.0",
                    ),
                ),
            ),
        ),
        unfixable=(Unfixable(NormalizedName("delta"), Version("1.0"), ("PYSEC-2099-105",)),),
    )


def test_the_text_plan_lists_each_upgrade_its_files_and_what_cannot_be_fixed() -> None:
    assert render_plan(plan(), relative=relative) == (
        "2 upgrade(s) clear the vulnerabilities:\n"
        "  Alpha 1.1.0 -> 1.2.0\n"
        "    clears PYSEC-2099-101\n"
        "    requirements.txt:2: rewritten by --write\n"
        "    sub/uv.lock:10: run `uv lock --upgrade-package alpha==1.2.0` in sub\n"
        "    pylock.toml: regenerate\n"
        "  gamma 2.9 -> 3.0.0  [crosses a major version]\n"
        "    clears PYSEC-2099-104, PYSEC-2099-199\n"
        "    pyproject.toml:7: run `poetry update gamma` in . (target 3.0.0)\n"
        "No safe version known:\n"
        "  delta 1.0: PYSEC-2099-105\n"
    )


def test_the_text_plan_says_when_there_is_nothing_to_fix() -> None:
    assert render_plan(FixPlan(), relative=relative) == "No vulnerable pins: nothing to fix.\n"
    only_unfixable = FixPlan(unfixable=plan().unfixable)
    assert (
        render_plan(only_unfixable, relative=relative)
        == "No safe version known:\n  delta 1.0: PYSEC-2099-105\n"
    )


def test_the_json_plan_has_every_upgrade_file_action_and_unfixable_package() -> None:
    data = plan_json(plan(), project="proj", relative=relative)
    assert data["schema_version"] == PLAN_SCHEMA_VERSION
    assert data["project"] == "proj"
    first = data["upgrades"][0]
    assert {k: first[k] for k in ("name", "from", "to", "clears", "crosses_major")} == {
        "name": "alpha",
        "from": "1.1.0",
        "to": "1.2.0",
        "clears": ["PYSEC-2099-101"],
        "crosses_major": False,
    }
    assert first["files"] == [
        {"path": "requirements.txt", "line": 2, "kind": "requirements", "action": "rewrite"},
        {
            "path": "sub/uv.lock",
            "line": 10,
            "kind": "uv.lock",
            "action": "command",
            "command": "uv lock --upgrade-package alpha==1.2.0",
        },
        {
            "path": "pylock.toml",
            "line": None,
            "kind": "pylock.toml",
            "action": "command",
            "note": "regenerate",
        },
    ]
    assert data["upgrades"][1]["crosses_major"] is True
    assert data["unfixable"] == [{"name": "delta", "version": "1.0", "ids": ["PYSEC-2099-105"]}]
