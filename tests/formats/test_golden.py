"""Golden tests: the sample assessment rendered in every format, byte for byte.

A deliberate change of output regenerates the files with `STEWARD_UPDATE_GOLDEN=1 pytest
tests/formats/test_golden.py`; review the diff before committing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pysteward.engine.assessment import Assessment
from pysteward.formats import OutputFormat, formatter_for
from tests.formats.conftest import clean_assessment, sample_assessment

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path("/srv/app")
SUFFIX = {
    OutputFormat.TABLE: "txt",
    OutputFormat.JSON: "json",
    OutputFormat.SARIF: "sarif",
    OutputFormat.MARKDOWN: "md",
    OutputFormat.HTML: "html",
}
"""The report formats; SBOM formats are validated against their schemas instead (their tests)."""


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize(("name", "build"), [("sample", sample_assessment), ("clean", clean_assessment)])
def test_the_output_matches_its_golden_file(
    fmt: OutputFormat, name: str, build: Callable[[Path], Assessment]
) -> None:
    text = formatter_for(fmt, width=120).render(build(ROOT))
    golden = GOLDEN / f"{name}.{SUFFIX[fmt]}"
    if os.environ.get("STEWARD_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
