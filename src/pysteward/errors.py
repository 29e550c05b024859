"""Steward's exception hierarchy.

    StewardError                 base of everything Steward raises on purpose
    ├── InputError               bad input: a file, a line, an option (exit code 2)
    │   └── InputErrors          several input problems found at once (an exception group)
    └── OperationalError         the run could not complete: no database, network down (exit code 3)

Every extension point derives its own base from one of these (for example
`pysteward.engine.inventory.InventoryError` from `InputError`), so the CLI can turn any of them into
one line and an exit code without knowing the extension.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError", "InputErrors", "OperationalError", "StewardError"]


class StewardError(Exception):
    """Base of every error Steward raises on purpose."""

    exit_code = 3
    hint: str | None = None


class InputError(StewardError):
    """A problem with what the user gave us; the message says where: `path:line: what is wrong`."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        super().__init__(self.where() + message)

    def where(self) -> str:
        """The `path:line: ` prefix (empty when the error is not about a file)."""
        if self.path is None:
            return ""
        if self.line is None:
            return f"{self.path}: "
        return f"{self.path}:{self.line}: "


class InputErrors(ExceptionGroup[InputError]):
    """Every problem found in one pass, so the user fixes them all at once (STYLE 17)."""

    exit_code = 2

    def leaves(self) -> list[InputError]:
        """Every individual problem, with nested groups flattened, in order."""
        return _leaves(self)


def _leaves(group: BaseExceptionGroup[InputError]) -> list[InputError]:
    errors: list[InputError] = []
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            errors.extend(_leaves(error))
        else:
            errors.append(error)
    return errors


class OperationalError(StewardError):
    """The run could not complete for a reason outside the input; `hint` names the fix."""

    exit_code = 3

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.hint = hint
