"""Software bills of materials: CycloneDX 1.6 (JSON, XML) and SPDX 2.3 (JSON) from an `Assessment`.

    Assessment ──► _collect (packages, graph, vulnerabilities) ─┬─► cyclonedx  (cyclonedx-python-lib)
                                                               └─► spdx       (spdx-tools)

Both libraries take a while to import, so the writers are imported on first use: importing this
package costs nothing until an SBOM is made.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pysteward.engine.sbom._collect import Licenses
    from pysteward.engine.sbom.cyclonedx import cyclonedx_bom, cyclonedx_json, cyclonedx_xml
    from pysteward.engine.sbom.spdx import spdx_document, spdx_json

__all__ = ["Licenses", "cyclonedx_bom", "cyclonedx_json", "cyclonedx_xml", "spdx_document", "spdx_json"]

_HOMES = {
    "Licenses": "pysteward.engine.sbom._collect",
    "cyclonedx_bom": "pysteward.engine.sbom.cyclonedx",
    "cyclonedx_json": "pysteward.engine.sbom.cyclonedx",
    "cyclonedx_xml": "pysteward.engine.sbom.cyclonedx",
    "spdx_document": "pysteward.engine.sbom.spdx",
    "spdx_json": "pysteward.engine.sbom.spdx",
}


def __getattr__(name: str) -> Any:
    """Import a writer the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
