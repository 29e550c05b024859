"""Type aliases shared across Steward."""

from __future__ import annotations

from enum import StrEnum
from typing import NewType

from packaging.utils import NormalizedName

__all__ = ["AdvisoryId", "NormalizedName", "OutputFormat"]

AdvisoryId = NewType("AdvisoryId", str)
"""An OSV record id such as `PYSEC-2023-74`, `GHSA-…`, `CVE-…` or `MAL-…`."""


class OutputFormat(StrEnum):
    """The `--format` choices of `steward assess`.

    It lives here, not in `pysteward.formats`, so `steward --help` need not import every renderer.
    """

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    CYCLONEDX_JSON = "cyclonedx-json"
    CYCLONEDX_XML = "cyclonedx-xml"
    SPDX_JSON = "spdx-json"
    HTML = "html"
