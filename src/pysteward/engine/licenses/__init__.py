"""Licenses: what each dependency's license is, which class it falls in, and what the policy says.

InputError (pysteward.errors)
└── InventoryError      a METADATA, pyproject.toml or setup.cfg file cannot be read

`parse_license_policy` raises ValueError for a bad `[tool.steward.licenses]` table; the caller turns
it into a configuration error naming the file.
"""

from pysteward.engine.licenses.classes import LicenseClass
from pysteward.engine.licenses.evidence import (
    EvidenceSource,
    LicenseEvidence,
    evidence_from_info,
    evidence_from_metadata,
    project_license,
)
from pysteward.engine.licenses.policy import LicensePolicy, license_findings, parse_license_policy
from pysteward.engine.licenses.verdict import LicenseTerm, LicenseVerdict, judge_license

__all__ = [
    "EvidenceSource",
    "LicenseClass",
    "LicenseEvidence",
    "LicensePolicy",
    "LicenseTerm",
    "LicenseVerdict",
    "evidence_from_info",
    "evidence_from_metadata",
    "judge_license",
    "license_findings",
    "parse_license_policy",
    "project_license",
]
