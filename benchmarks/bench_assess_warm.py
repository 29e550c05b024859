"""Benchmark: `steward assess` of paperless-ngx's uv.lock with every check at work.

    python benchmarks/bench_assess_warm.py [DATA] [--runs 5] [--no-bytecode-cache]

bench_assess.py measures the issue-2 case: an empty package-index cache, so license and health
checks have nothing to read, and no popular-names list. Here the cache is first filled from a local
127.0.0.1 index (the generated documents bench_health.py serves), a popular-names list is saved in
the data directory, and the measured runs are offline: licenses, health and typosquats all do their
work, as they do for a user whose cache is warm. Target: the issue-2 figure, < 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
from functools import partial
from pathlib import Path

import bench_health
from _common import (
    ASSESS_OK,
    Result,
    add_common_arguments,
    format_table,
    import_database,
    private_data_dir,
    repeat,
    run_child,
    steward,
    summarize,
)
from pysteward.engine.typosquat import parse_top_packages, save_popular_names

TARGET_WALL = 0.5


def collect(data: Path, runs: int, *, bytecode_cache: bool = True) -> list[Result]:
    """Empty cache, warm cache, and warm cache with the popular-names list (JSON and HTML)."""
    lock = data / bench_health.LOCK
    pages = bench_health.generate_index(bench_health.lock_pins(lock))
    with private_data_dir(bytecode_cache=bytecode_cache) as tmp, bench_health.serve_index(pages) as url:
        import_database(data / "osv-pypi-pypa.zip")
        project = tmp / "paperless"
        project.mkdir()
        shutil.copy(lock, project / "uv.lock")
        os.environ["PIP_INDEX_URL"] = url  # the local server; private_data_dir keeps runs offline

        def assess(fmt: str) -> list[str]:
            return [steward(), "assess", str(project), "--format", fmt, "-o", str(tmp / f"report.{fmt}")]

        def measure(name: str, fmt: str = "json") -> Result:
            run_child(assess(fmt), ok=ASSESS_OK)  # warm-up, not measured
            samples = repeat(partial(run_child, assess(fmt), ok=ASSESS_OK), runs)
            return summarize(name, samples, target_wall=TARGET_WALL)

        results = [measure("assess paperless-ngx, empty index cache, no names list")]
        os.environ["STEWARD_OFFLINE"] = "0"
        run_child(assess("json"), ok=ASSESS_OK)  # online once, against 127.0.0.1: fills the cache
        os.environ["STEWARD_OFFLINE"] = "1"
        results.append(measure("assess paperless-ngx, warm index cache, no names list"))
        top = data / "top-pypi-packages.json"
        save_popular_names(parse_top_packages(top.read_bytes(), source="top-pypi-packages"), tmp)
        results.append(measure("assess paperless-ngx, warm cache and names list (json)"))
        results.append(measure("assess paperless-ngx, warm cache and names list (html)", "html"))
        os.environ.pop("PIP_INDEX_URL", None)
    return results


def main() -> None:
    """Print the warm-cache assessment benchmark as a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    args = parser.parse_args()
    print(format_table(collect(args.data, args.runs, bytecode_cache=args.bytecode_cache)))


if __name__ == "__main__":
    main()
