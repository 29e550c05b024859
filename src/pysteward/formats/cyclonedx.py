"""`--format cyclonedx-json` / `cyclonedx-xml`: the assessment as a CycloneDX 1.6 SBOM with VEX.

The SBOM itself is built by `pysteward.engine.sbom`; cyclonedx-python-lib is imported only when a
document is rendered, so choosing another format never pays for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from pysteward.engine.assessment import Assessment
from pysteward.formats.interface import Formatter

__all__ = ["CycloneDxFormat"]


class CycloneDxFormat(Formatter):
    """Renders a CycloneDX 1.6 document, JSON by default or XML."""

    def __init__(self, *, xml: bool = False, licenses: Mapping[tuple[str, str], str] | None = None) -> None:
        """`licenses` maps (normalised name, version) to an SPDX expression for the packages it knows."""
        self.xml = xml
        self.licenses = licenses

    def render(self, assessment: Assessment) -> str:
        """The whole BOM, ending with a newline."""
        from pysteward.engine.sbom import cyclonedx_json, cyclonedx_xml

        write = cyclonedx_xml if self.xml else cyclonedx_json
        return write(assessment, licenses=self.licenses)
