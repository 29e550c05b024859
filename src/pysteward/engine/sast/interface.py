"""What a static analyser of the project's own code returns, and the errors it raises.

    OperationalError (pysteward.errors)
    └── SastError                the analyser could not run at all
        └── BanditError          Bandit is missing or broken

A file the analyser cannot read or parse is not an error: it is listed in `SastResult.skipped`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pysteward.engine.findings import SastFinding
from pysteward.errors import OperationalError

__all__ = ["SastError", "SastResult", "vendored_reason"]

# Directories that hold other people's code: scanning them would report third-party issues as the
# project's own, and take far longer (a virtual environment holds thousands of files).
_VENDOR_DIRECTORY_NAMES = frozenset({"site-packages", "dist-packages"})


class SastError(OperationalError):
    """Static analysis could not run (the analyser is missing or failed as a whole)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SastResult:
    """Findings from one analysis run, with what was scanned, skipped and silenced."""

    findings: tuple[SastFinding, ...]
    files_scanned: int
    skipped: tuple[str, ...]
    """One `path: reason` line per file that was not analysed (unparsable, unreadable, vendored)."""
    nosec_count: int
    """How many issues `# nosec` comments silenced."""


def vendored_reason(path: Path, project_dir: Path) -> str | None:
    """Why `path` is third-party code that must not be scanned, or None when it is the project's own.

    A file is refused when a directory above it (up to and including `project_dir`, or up to the
    root for a file outside the project) is named `site-packages`/`dist-packages` or holds a
    `pyvenv.cfg`, the marker PEP 405 puts at the top of every virtual environment.
    """
    root = project_dir.resolve()
    for directory in path.resolve().parents:
        if directory.name in _VENDOR_DIRECTORY_NAMES:
            return f"inside {directory.name}, not the project's own code"
        if (directory / "pyvenv.cfg").is_file():
            return "inside a virtual environment, not the project's own code"
        if directory == root:
            break
    return None
