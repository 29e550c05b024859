"""The interface every output format implements.

A formatter is pure: it turns a finished `Assessment` into text and does nothing else. The CLI owns
files, streams and exit codes, so a formatter can be tested, reused by the server, or wrapped.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from pysteward.engine.assessment import Assessment

__all__ = ["Formatter"]


class Formatter(ABC):
    """Renders an assessment as text."""

    @abstractmethod
    def render(self, assessment: Assessment) -> str:
        """The whole report for `assessment`, ending with a newline."""
