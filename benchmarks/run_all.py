"""Run every benchmark and print one summary table (benchmark, median wall, peak RSS, target, met?).

    python benchmarks/run_all.py [DATA] [--runs 5]

DATA defaults to `../shared/data` beside the repository. Each benchmark uses its own temporary
STEWARD_DATA_DIR. Figures are printed, never asserted: a missed target shows as "NO".
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import bench_assess
import bench_assess_warm
import bench_health
import bench_help
import bench_html
import bench_import
import bench_match
import bench_sbom
import bench_typosquat
from _common import MB, Result, add_common_arguments, format_table

__all__ = ["collect", "machine"]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return "unknown"
    return f"{pages * size / 2**30:.1f} GiB"


def machine() -> str:
    """One line about the machine: CPUs, memory, CPU model, Python (no paths)."""
    return (
        f"{os.cpu_count()} CPUs, {_memory()} memory, {_cpu_model()}, "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.system()}"
    )


def collect(data: Path, runs: int, *, bytecode_cache: bool = True) -> list[Result]:
    """Every benchmark's results, in the issues' order: import, assess, match, help (#2); html, health,
    sbom (#3)."""
    steps: tuple[tuple[str, Callable[[], list[Result]]], ...] = (
        (
            "import",
            lambda: bench_import.collect(data / "osv-pypi-pypa.zip", runs, bytecode_cache=bytecode_cache),
        ),
        ("assess", lambda: bench_assess.collect(data, runs, bytecode_cache=bytecode_cache)),
        ("assess, warm", lambda: bench_assess_warm.collect(data, runs, bytecode_cache=bytecode_cache)),
        ("match", lambda: bench_match.collect(data / "osv-pypi-pypa.zip", runs)),
        ("help", lambda: bench_help.collect(runs, bytecode_cache=bytecode_cache)),
        ("html", lambda: bench_html.collect(data, runs, bytecode_cache=bytecode_cache)),
        ("health", lambda: bench_health.collect(data, runs, bytecode_cache=bytecode_cache)),
        ("sbom", lambda: bench_sbom.collect(data, runs, bytecode_cache=bytecode_cache)[0]),
        ("typosquat", lambda: [bench_typosquat.collect(data / "top-pypi-packages.json")]),
    )
    results: list[Result] = []
    for name, step in steps:
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        results.extend(step())
        print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)
    return results


def main() -> None:
    """Run everything, then print the summary table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    args = parser.parse_args()
    print(machine())
    results = collect(args.data, args.runs, bytecode_cache=args.bytecode_cache)
    cache = "private bytecode cache" if args.bytecode_cache else "bytecode as the environment has it"
    print(f"\nSummary: median of {args.runs} runs, {cache}; peak RSS is the highest run, MB = {MB:,} bytes")
    print(format_table(results))


if __name__ == "__main__":
    main()
