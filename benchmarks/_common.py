"""Shared helpers for the benchmark scripts: child-process timing, peak RSS, medians, a summary table.

Wall time is measured around one child process (interpreter start included); peak RSS is the
child's own `ru_maxrss`, read with `os.wait4` in a minimal launcher so the runner's memory never counts.
Every script runs against a private `STEWARD_DATA_DIR` (see `private_data_dir`), never the user's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ASSESS_OK",
    "MB",
    "ROOT",
    "Result",
    "Sample",
    "add_bytecode_argument",
    "add_common_arguments",
    "default_data_dir",
    "format_table",
    "import_database",
    "private_data_dir",
    "repeat",
    "run_child",
    "steward",
    "summarize",
    "timed",
]

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000
# Exit codes of `steward assess` that mean "it worked": 0 clean, 1 findings at or above --fail-on.
ASSESS_OK = (0, 1)


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured run: wall seconds and peak resident set size in bytes (None in-process)."""

    wall: float
    rss: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """One benchmark's figures over its runs, beside its targets (None: no target set)."""

    name: str
    wall: float
    rss: int | None
    runs: int
    target_wall: float | None = None
    target_rss: int | None = None

    @property
    def met(self) -> bool | None:
        """Whether every target set is met; None when the benchmark has no target."""
        checks = []
        if self.target_wall is not None:
            checks.append(self.wall < self.target_wall)
        if self.target_rss is not None and self.rss is not None:
            checks.append(self.rss < self.target_rss)
        return all(checks) if checks else None


def default_data_dir() -> Path:
    """`../shared/data` beside the repository."""
    return ROOT.parent / "shared" / "data"


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """The data directory (positional, optional) and `--runs`."""
    parser.add_argument(
        "data",
        nargs="?",
        type=Path,
        default=default_data_dir(),
        help="shared data directory (default: ../shared/data beside the repository)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per benchmark (median reported)")
    add_bytecode_argument(parser)


def add_bytecode_argument(parser: argparse.ArgumentParser) -> None:
    """`--no-bytecode-cache`: leave the environment's bytecode setting alone (see `private_data_dir`)."""
    parser.add_argument(
        "--no-bytecode-cache",
        dest="bytecode_cache",
        action="store_false",
        help="do not give children a private bytecode cache (measure as the environment is)",
    )


@contextmanager
def private_data_dir(*, bytecode_cache: bool = True) -> Iterator[Path]:
    """A temporary STEWARD_DATA_DIR for this process and its children, restored afterwards.

    With `bytecode_cache`, children also get a private bytecode cache (PYTHONPYCACHEPREFIX in the
    same directory, PYTHONDONTWRITEBYTECODE unset), as an installed Steward has compiled modules; the
    first, unmeasured run fills it. Without it, the caller's environment decides. Children also run
    with STEWARD_OFFLINE=1: a benchmark never sends a request beyond this machine.
    """
    names = ("STEWARD_DATA_DIR", "STEWARD_OFFLINE", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")
    previous = {name: os.environ.get(name) for name in names}
    with tempfile.TemporaryDirectory(prefix="steward-bench-") as tmp:
        os.environ["STEWARD_DATA_DIR"] = tmp
        os.environ["STEWARD_OFFLINE"] = "1"
        if bytecode_cache:
            os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        try:
            yield Path(tmp)
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def steward() -> str:
    """The installed `steward` console script beside this interpreter."""
    script = Path(sys.executable).parent / "steward"
    if not script.exists():
        raise SystemExit(f"no steward console script beside {Path(sys.executable).name}; install the project")
    return str(script)


# Linux folds the forking process's memory high-water mark into a child's ru_maxrss (at fork and at
# exec), so a large benchmark runner would inflate every child's figure. A minimal launcher (Python
# without site, about 8 MiB) starts the real command, times it and reads its rusage with os.wait4.
_LAUNCHER = """
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as f:
    f.write(f"{wall!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_child(
    argv: Sequence[str], *, stdout: int | None = subprocess.DEVNULL, ok: Sequence[int] = (0,)
) -> Sample:
    """Run one command to completion; its wall time and its own peak RSS (`os.wait4`)."""
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rusage"
        launcher = [sys.executable, "-S", "-I", "-c", _LAUNCHER, str(out)]
        subprocess.run([*launcher, *argv], stdout=stdout, stderr=errors, check=True)
        wall, maxrss, code = out.read_text(encoding="utf-8").split()
        if int(code) not in ok:
            errors.seek(0)
            text = errors.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(argv)} failed with exit code {code}:\n{text}")
    # Linux reports ru_maxrss in KiB.
    return Sample(float(wall), int(maxrss) * 1024)


def timed(fn: Callable[[], object]) -> Sample:
    """Wall time of one in-process call."""
    start = time.perf_counter()
    fn()
    return Sample(time.perf_counter() - start)


def repeat(fn: Callable[[], Sample], runs: int) -> list[Sample]:
    """`runs` samples of `fn`."""
    return [fn() for _ in range(runs)]


def summarize(
    name: str,
    samples: Sequence[Sample],
    *,
    target_wall: float | None = None,
    target_rss: int | None = None,
) -> Result:
    """Median wall time and the highest peak RSS over the samples."""
    rss = [s.rss for s in samples if s.rss is not None]
    return Result(
        name=name,
        wall=statistics.median(s.wall for s in samples),
        rss=max(rss) if rss else None,
        runs=len(samples),
        target_wall=target_wall,
        target_rss=target_rss,
    )


def import_database(zip_path: Path) -> None:
    """`steward db import ZIP` into the current STEWARD_DATA_DIR (not timed)."""
    run_child([steward(), "db", "import", str(zip_path)])


def _wall(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _target(result: Result) -> str:
    parts = []
    if result.target_wall is not None:
        seconds = result.target_wall
        parts.append(f"< {seconds * 1000:g} ms" if seconds < 1 else f"< {seconds:g} s")
    if result.target_rss is not None:
        parts.append(f"< {result.target_rss // MB} MB RSS")
    return ", ".join(parts) or "-"


def format_table(results: Sequence[Result]) -> str:
    """A plain-text table: benchmark, median wall, peak RSS, target, met."""
    rows = [("benchmark", "median wall", "peak RSS", "target", "met?")]
    for r in results:
        rss = "-" if r.rss is None else f"{r.rss / MB:.1f} MB"
        met = {True: "yes", False: "NO", None: "-"}[r.met]
        rows.append((r.name, _wall(r.wall), rss, _target(r), met))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
