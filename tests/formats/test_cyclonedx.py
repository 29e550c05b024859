"""`--format cyclonedx-json` / `cyclonedx-xml`: the formatter renders schema-valid CycloneDX 1.6."""

from __future__ import annotations

import json

from pysteward.engine.assessment import Assessment
from pysteward.formats import CycloneDxFormat, OutputFormat, formatter_for
from tests.engine.sbom.conftest import cyclonedx_json_errors, cyclonedx_xml_errors


def test_it_renders_valid_json_with_the_given_licenses(sample: Assessment) -> None:
    text = CycloneDxFormat(licenses={("jinja2", "2.10"): "BSD-3-Clause"}).render(sample)
    assert cyclonedx_json_errors(text) == []
    document = json.loads(text)
    assert document["specVersion"] == "1.6"
    jinja = next(c for c in document["components"] if c["name"] == "Jinja2")
    assert jinja["licenses"] == [{"license": {"id": "BSD-3-Clause"}}]


def test_formatter_for_wires_json_and_xml(sample: Assessment) -> None:
    assert isinstance(formatter_for(OutputFormat.CYCLONEDX_JSON), CycloneDxFormat)
    xml = formatter_for(OutputFormat.CYCLONEDX_XML).render(sample)
    assert xml.startswith("<?xml") and "http://cyclonedx.org/schema/bom/1.6" in xml
    assert cyclonedx_xml_errors(xml) == []
