"""Finding line numbers in formats whose parsers keep none (TOML, INI).

The parsers give values; these helpers find where each value was written by searching the text, in
order, within the part of the file that holds it. When a value cannot be found (an escape sequence, a
key written in another form) the answer is None rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["TextCursor", "toml_table_spans"]

_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_\-\"'. ]+?)\s*\]\]?\s*(?:#.*)?$")


def _header_name(raw: str) -> str:
    return re.sub(r"\s*\.\s*", ".", raw).replace('"', "").replace("'", "")


def toml_table_spans(text: str, table: str) -> list[tuple[int, int]]:
    """0-based `[start, stop)` line ranges of the sections that can hold keys of `table`.

    That is the table's own section, its sub-tables, and its ancestors (which may define it with
    dotted keys or an inline table); the part before the first header counts as the root.
    """
    lines = text.splitlines()
    starts: list[tuple[int, str]] = [(0, "")]
    for number, line in enumerate(lines):
        match = _TOML_HEADER.match(line)
        if match:
            starts.append((number, _header_name(match.group(1))))
    spans = []
    for index, (start, name) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        related = name == table or name.startswith(table + ".") or not name or table.startswith(name + ".")
        if related:
            spans.append((start, stop))
    return spans


class TextCursor:
    """Finds successive values in part of a text, each search starting where the last one ended."""

    def __init__(self, text: str, spans: Sequence[tuple[int, int]] | None = None) -> None:
        lines = text.splitlines()
        ranges = spans if spans is not None else [(0, len(lines))]
        self._lines = [(number, lines[number]) for start, stop in ranges for number in range(start, stop)]
        self._index = 0
        self._column = 0

    def find(self, needle: str) -> int | None:
        """1-based line of the next occurrence of `needle`, or None (the cursor then stays put)."""
        for index in range(self._index, len(self._lines)):
            number, line = self._lines[index]
            column = line.find(needle, self._column if index == self._index else 0)
            if column >= 0:
                self._index, self._column = index, column + len(needle)
                return number + 1
        return None

    def find_key(self, key: str) -> int | None:
        """1-based line of the next `key =` assignment (key bare or quoted), or None."""
        pattern = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
        for index in range(self._index, len(self._lines)):
            number, line = self._lines[index]
            match = pattern.match(line)
            if match:
                self._index, self._column = index, match.end()
                return number + 1
        return None
