"""Fix proposals: the smallest set of upgrades that clears an assessment's vulnerabilities.

plan_fixes(assessment, database)   for each vulnerable pin, the lowest safe version (checked again)
plan_rewrites(plan)                the requirements files those upgrades change, before and after
apply_rewrites(rewrites)           write them
plan_json / render_plan            the plan as a JSON patch plan or as text
"""

from __future__ import annotations

from pysteward.engine.fixes.commands import Action, FileAction, action_for
from pysteward.engine.fixes.plan import (
    FixPlan,
    Unfixable,
    Upgrade,
    candidate_versions,
    crosses_major,
    lowest_safe_version,
    plan_fixes,
)
from pysteward.engine.fixes.report import PLAN_SCHEMA_VERSION, plan_json, render_plan
from pysteward.engine.fixes.rewrite import FileRewrite, PinEdit, apply_rewrites, plan_rewrites, rewrite_text

__all__ = [
    "PLAN_SCHEMA_VERSION",
    "Action",
    "FileAction",
    "FileRewrite",
    "FixPlan",
    "PinEdit",
    "Unfixable",
    "Upgrade",
    "action_for",
    "apply_rewrites",
    "candidate_versions",
    "crosses_major",
    "lowest_safe_version",
    "plan_fixes",
    "plan_json",
    "plan_rewrites",
    "render_plan",
    "rewrite_text",
]
