"""`formatter_for` wires every `--format` choice, and the package exports a sorted public API."""

from __future__ import annotations

import json

import pytest

import pysteward.formats
from pysteward.engine.assessment import Assessment
from pysteward.formats import (
    Formatter,
    HtmlFormat,
    JsonFormat,
    MarkdownFormat,
    OutputFormat,
    SarifFormat,
    TableFormat,
    formatter_for,
)


@pytest.mark.parametrize(
    ("fmt", "cls"),
    [
        (OutputFormat.TABLE, TableFormat),
        (OutputFormat.JSON, JsonFormat),
        (OutputFormat.SARIF, SarifFormat),
        (OutputFormat.MARKDOWN, MarkdownFormat),
        (OutputFormat.HTML, HtmlFormat),
    ],
)
def test_it_maps_each_choice_to_its_formatter(fmt: OutputFormat, cls: type[Formatter]) -> None:
    assert type(formatter_for(fmt)) is cls


def test_every_choice_is_wired() -> None:
    wired = {type(formatter_for(fmt)) for fmt in OutputFormat}
    assert {TableFormat, JsonFormat, SarifFormat, MarkdownFormat, HtmlFormat} <= wired
    assert all(issubclass(cls, Formatter) for cls in wired)
    assert OutputFormat("sarif") is OutputFormat.SARIF
    assert OutputFormat("html") is OutputFormat.HTML


def test_it_passes_colour_and_width_to_the_table() -> None:
    table = formatter_for(OutputFormat.TABLE, color=True, width=80)
    assert isinstance(table, TableFormat)
    assert (table.color, table.width) == (True, 80)


def test_every_formatter_renders_the_sample(sample: Assessment) -> None:
    reports = (
        OutputFormat.TABLE,
        OutputFormat.JSON,
        OutputFormat.SARIF,
        OutputFormat.MARKDOWN,
        OutputFormat.HTML,
    )
    outputs = {fmt: formatter_for(fmt).render(sample) for fmt in reports}
    assert all(text.endswith("\n") and "GHSA-xg9f-g7g7-2323" in text for text in outputs.values())
    assert json.loads(outputs[OutputFormat.SARIF])["version"] == "2.1.0"


def test_the_public_api_is_sorted_and_importable() -> None:
    names = pysteward.formats.__all__
    assert names == sorted(names)
    assert all(hasattr(pysteward.formats, name) for name in names)
