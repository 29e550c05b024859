"""Renderers that turn an `Assessment` into text: table, JSON, SARIF 2.1.0 and Markdown.

`formatter_for` maps the CLI's `--format` choice to a formatter; the mapping is static and
exhaustive, so mypy reports a format added to `OutputFormat` but not wired here.
"""

from __future__ import annotations

from typing import assert_never

from pysteward._types import OutputFormat
from pysteward.formats.interface import Formatter
from pysteward.formats.json_format import JsonFormat
from pysteward.formats.markdown import MarkdownFormat
from pysteward.formats.sarif import SarifFormat
from pysteward.formats.table import TableFormat

__all__ = [
    "Formatter",
    "JsonFormat",
    "MarkdownFormat",
    "OutputFormat",
    "SarifFormat",
    "TableFormat",
    "formatter_for",
]


def formatter_for(fmt: OutputFormat, *, color: bool = False, width: int = 120) -> Formatter:
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
        case _:
            assert_never(fmt)
