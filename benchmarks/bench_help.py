"""Benchmark: `steward --help` and `steward assess --help` (start-up cost of the console script).

    python benchmarks/bench_help.py [DATA] [--runs 5]

Each run is a real subprocess of the installed `steward` console script, interpreter start included;
peak RSS is the child's own, read with `os.wait4`. DATA is accepted for a uniform command line but unused.
"""

from __future__ import annotations

import argparse
from functools import partial

from _common import (
    Result,
    add_common_arguments,
    format_table,
    private_data_dir,
    repeat,
    run_child,
    steward,
    summarize,
)

__all__ = ["collect"]

TARGET_WALL = 0.25
COMMANDS = (("steward --help", ["--help"]), ("steward assess --help", ["assess", "--help"]))


def collect(runs: int, *, bytecode_cache: bool = True) -> list[Result]:
    """Median wall and peak RSS of each help command over `runs` runs."""
    results = []
    with private_data_dir(bytecode_cache=bytecode_cache):
        for label, args in COMMANDS:
            argv = [steward(), *args]
            # One unmeasured run first, so every measured run sees the same warm file cache.
            run_child(argv)
            samples = repeat(partial(run_child, argv), runs)
            results.append(summarize(label, samples, target_wall=TARGET_WALL))
    return results


def main() -> None:
    """Print the help benchmarks as a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    args = parser.parse_args()
    print(format_table(collect(args.runs, bytecode_cache=args.bytecode_cache)))


if __name__ == "__main__":
    main()
