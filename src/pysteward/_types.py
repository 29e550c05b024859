"""Type aliases shared across Steward."""

from __future__ import annotations

from typing import NewType

from packaging.utils import NormalizedName

__all__ = ["AdvisoryId", "NormalizedName"]

AdvisoryId = NewType("AdvisoryId", str)
"""An OSV record id such as `PYSEC-2023-74`, `GHSA-…`, `CVE-…` or `MAL-…`."""
