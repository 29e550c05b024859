"""`--format spdx-json`: the formatter renders an SPDX 2.3 document spdx-tools accepts."""

from __future__ import annotations

import json

from pysteward.engine.assessment import Assessment
from pysteward.formats import OutputFormat, SpdxFormat, formatter_for
from tests.engine.sbom.conftest import spdx_errors


def test_it_renders_a_valid_document_with_the_given_licenses(sample: Assessment) -> None:
    text = SpdxFormat(licenses={("jinja2", "2.10"): "BSD-3-Clause"}).render(sample)
    assert spdx_errors(text) == []
    jinja = next(p for p in json.loads(text)["packages"] if p["name"] == "Jinja2")
    assert jinja["licenseDeclared"] == "BSD-3-Clause"


def test_formatter_for_wires_spdx_json(clean: Assessment) -> None:
    formatter = formatter_for(OutputFormat.SPDX_JSON)
    assert isinstance(formatter, SpdxFormat)
    assert json.loads(formatter.render(clean))["spdxVersion"] == "SPDX-2.3"
