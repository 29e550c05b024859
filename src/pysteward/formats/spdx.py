"""`--format spdx-json`: the assessment as an SPDX 2.3 JSON document.

The document is built by `pysteward.engine.sbom`; spdx-tools is imported only when one is rendered.
"""

from __future__ import annotations

from collections.abc import Mapping

from pysteward.engine.assessment import Assessment
from pysteward.formats.interface import Formatter

__all__ = ["SpdxFormat"]


class SpdxFormat(Formatter):
    """Renders an SPDX 2.3 JSON document."""

    def __init__(self, *, licenses: Mapping[tuple[str, str], str] | None = None) -> None:
        """`licenses` maps (normalised name, version) to an SPDX expression for the packages it knows."""
        self.licenses = licenses

    def render(self, assessment: Assessment) -> str:
        """The whole document, ending with a newline."""
        from pysteward.engine.sbom import spdx_json

        return spdx_json(assessment, licenses=self.licenses)
