"""Renderers that turn an `Assessment` into text: table, JSON, SARIF 2.1.0, Markdown, HTML,
and the SBOM formats CycloneDX 1.6 (JSON, XML) and SPDX 2.3 (JSON).

`formatter_for` maps the CLI's `--format` choice to a formatter; the mapping is static and
exhaustive, so mypy reports a format added to `OutputFormat` but not wired here.
"""

from __future__ import annotations

from typing import assert_never

from pysteward._types import OutputFormat
from pysteward.formats.cyclonedx import CycloneDxFormat
from pysteward.formats.html import HtmlFormat
from pysteward.formats.interface import Formatter
from pysteward.formats.json_format import JsonFormat
from pysteward.formats.markdown import MarkdownFormat
from pysteward.formats.sarif import SarifFormat
from pysteward.formats.spdx import SpdxFormat
from pysteward.formats.table import TableFormat

__all__ = [
    "CycloneDxFormat",
    "Formatter",
    "HtmlFormat",
    "JsonFormat",
    "MarkdownFormat",
    "OutputFormat",
    "SarifFormat",
    "SpdxFormat",
    "TableFormat",
    "formatter_for",
]


def formatter_for(fmt: OutputFormat, *, color: bool = False, width: int = 120) -> Formatter:  # noqa: PLR0911
    """The formatter for `fmt`; `color` and `width` only matter to the table."""
    match fmt:
        case OutputFormat.TABLE:
            return TableFormat(color=color, width=width)
        case OutputFormat.JSON:
            return JsonFormat()
        case OutputFormat.SARIF:
            return SarifFormat()
        case OutputFormat.MARKDOWN:
            return MarkdownFormat()
        case OutputFormat.HTML:
            return HtmlFormat()
        case OutputFormat.CYCLONEDX_JSON:
            return CycloneDxFormat()
        case OutputFormat.CYCLONEDX_XML:
            return CycloneDxFormat(xml=True)
        case OutputFormat.SPDX_JSON:
            return SpdxFormat()
        case _:
            assert_never(fmt)
