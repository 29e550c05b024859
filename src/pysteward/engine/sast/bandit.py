"""Bandit, run in-process on the project's own Python files.

Bandit is imported inside `run_bandit`, so commands that never analyse code do not pay for its
import (it loads every plugin through entry points). It runs with its default profile (every test),
and honours `# nosec` and `# nosec B602` comments itself; we count what they silenced.

Bandit talks through the `bandit` logger, may print a progress bar, and warns (and logs through
stevedore) at import time; all of that is silenced while Bandit runs, so Steward's own output stays
the only output. The observer gets one step per file.
"""

from __future__ import annotations

import importlib
import logging
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pysteward.engine.findings import SastFinding
from pysteward.engine.model import Location, Severity
from pysteward.engine.observer import NullObserver, Observer
from pysteward.engine.sast.interface import SastError, SastResult, vendored_reason

__all__ = ["BanditError", "run_bandit"]

_TASK = "static analysis"
_SEVERITIES = {"LOW": Severity.LOW, "MEDIUM": Severity.MEDIUM, "HIGH": Severity.HIGH}
"""Bandit's ranks; its fourth, UNDEFINED, becomes Severity.UNKNOWN."""
_LOGGERS = ("bandit", "stevedore")
"""Bandit's loggers, and stevedore's, which logs an error at import for each optional formatter
whose dependency is missing (Bandit's SARIF formatter without `sarif-om`)."""
_MAX_CODE_LINES = 5
"""A finding's code shows at most this many lines of a statement spanning more."""


class BanditError(SastError):
    """Bandit is not installed or cannot be loaded."""


def run_bandit(project_dir: Path, files: Sequence[Path], *, observer: Observer | None = None) -> SastResult:
    """Run Bandit on `files`, the project's own Python sources, and return its findings.

    Files inside a virtual environment or a `site-packages` directory are refused (listed in
    `skipped`) even when passed by mistake; so are files Bandit cannot parse, such as Python 2 code.
    """
    observer = observer or NullObserver()
    own, skipped = _own_files(project_dir, files)
    if not own:
        return SastResult(findings=(), files_scanned=0, skipped=tuple(skipped), nosec_count=0)
    with _quiet():
        bandit = _load()
    issues: list[Any] = []
    scanned = nosec = 0
    observer.start(_TASK, len(own))
    for name in own:
        # One manager per file (building one takes microseconds) so progress advances file by file,
        # and only while Bandit runs is output silenced: the observer may be drawing a progress bar.
        with _quiet():
            manager = bandit.BanditManager(bandit.BanditConfig(), "file")
            manager.discover_files([name])
            manager.run_tests()
        issues.extend(manager.get_issue_list())
        skipped.extend(f"{_shown(own[name], project_dir)}: {reason}" for _, reason in manager.get_skipped())
        scanned += len(manager.files_list)
        totals = manager.metrics.data["_totals"]
        nosec += int(totals.get("nosec", 0)) + int(totals.get("skipped_tests", 0))
        observer.advance(_TASK)
    observer.finish(_TASK)
    return SastResult(
        findings=_findings(issues, own), files_scanned=scanned, skipped=tuple(skipped), nosec_count=nosec
    )


def _own_files(project_dir: Path, files: Sequence[Path]) -> tuple[dict[str, Path], list[str]]:
    """The files to scan, by resolved path (each once), and a `path: reason` line for each refused one."""
    own: dict[str, Path] = {}
    refused: list[str] = []
    for path in files:
        reason = vendored_reason(path, project_dir)
        if reason is None:
            own.setdefault(str(path.resolve()), path)
        else:
            refused.append(f"{_shown(path, project_dir)}: {reason}")
    return own, refused


def _load() -> SimpleNamespace:
    """Bandit's manager and configuration classes (the default configuration enables every test)."""
    try:
        config = importlib.import_module("bandit.core.config")
        manager = importlib.import_module("bandit.core.manager")
    except ImportError as e:
        raise BanditError(
            f"bandit cannot be loaded: {e}", hint="reinstall pysteward with its dependencies"
        ) from e
    return SimpleNamespace(BanditManager=manager.BanditManager, BanditConfig=config.BanditConfig)


def _findings(issues: list[Any], own: dict[str, Path]) -> tuple[SastFinding, ...]:
    """Bandit's issues as findings at the paths the caller gave, sorted by place."""
    sources: dict[Path, list[str]] = {}
    findings = [_finding(issue, own[issue.fname], sources) for issue in issues]
    return tuple(sorted(findings, key=lambda f: (str(f.locations[0].path), f.locations[0].line or 0, f.rule)))


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence Bandit's loggers, its import-time prints and any warning while it runs.

    Warnings matter beyond noise: `ast.parse` warns about invalid escape sequences, and under
    `-W error` that warning would turn into a syntax error and wrongly skip the file.
    """
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    saved = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        # Above CRITICAL nothing is emitted; Bandit's progress bar (shown only when its logger is
        # at INFO or below) stays off too.
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False
    try:
        with warnings.catch_warnings(), redirect_stdout(StringIO()), redirect_stderr(StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, (level, propagate) in zip(loggers, saved, strict=True):
            logger.setLevel(level)
            logger.propagate = propagate


def _finding(issue: Any, path: Path, sources: dict[Path, list[str]]) -> SastFinding:
    """One Bandit issue as a Steward finding at `path` (as the caller gave it); `sources` caches lines."""
    test_id, test_name = str(issue.test_id), str(issue.test)
    line = int(issue.lineno)
    return SastFinding(
        rule=test_id,
        severity=_SEVERITIES.get(str(issue.severity).upper(), Severity.UNKNOWN),
        title=f"{test_id} {test_name}: {issue.text}",
        locations=(Location(path, line),),
        test_name=test_name,
        confidence=str(issue.confidence).lower(),
        code=_code(_lines(path, sources), line, [int(n) for n in issue.linerange]),
        more_info=_more_info(test_id),
    )


def _lines(path: Path, sources: dict[Path, list[str]]) -> list[str]:
    """The lines of `path`, read once per run (none if the file vanished since Bandit read it)."""
    if path not in sources:
        try:
            sources[path] = path.read_bytes().decode("utf-8", errors="replace").splitlines()
        except OSError:
            sources[path] = []
    return sources[path]


def _code(text: list[str], line: int, span: list[int]) -> str:
    """Up to `_MAX_CODE_LINES` lines of the statement spanning `span`, around `line`, dedented."""
    first, last = min(*span, line), max(*span, line)
    # Bandit reports a long call at its offending argument (`shell=True`), so centre on that line.
    start = max(first, line - _MAX_CODE_LINES // 2)
    end = min(last, start + _MAX_CODE_LINES - 1)
    start = max(first, end - _MAX_CODE_LINES + 1)
    return textwrap.dedent("\n".join(row.rstrip() for row in text[start - 1 : end])).strip("\n")


def _more_info(test_id: str) -> str:
    """Bandit's documentation page for `test_id` (Bandit builds the URL for its own version)."""
    docs = importlib.import_module("bandit.core.docs_utils")
    return str(docs.get_url(test_id))


def _shown(path: Path, project_dir: Path) -> str:
    """`path` relative to the project when it is inside it, as given otherwise."""
    try:
        return path.resolve().relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        return str(path)
