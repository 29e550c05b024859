"""Maintenance health: is a dependency maintained, staffed, and still offered as its authors meant?

Facts come from the package index (`pysteward.engine.index`): release dates and cadence, yanked
versions, ownership roles and organisations, and project status markers (PEP 792). Findings follow
a `HealthPolicy` read from `[tool.steward.health]`.
"""

from pysteward.engine.health.checks import RULE_PREFIX, health_findings
from pysteward.engine.health.facts import CADENCE_YEARS, HealthFacts, health_facts, months_before
from pysteward.engine.health.policy import HealthPolicy, parse_health_policy

__all__ = [
    "CADENCE_YEARS",
    "RULE_PREFIX",
    "HealthFacts",
    "HealthPolicy",
    "health_facts",
    "health_findings",
    "months_before",
    "parse_health_policy",
]
