"""Benchmark: matching 10,000 pins against the advisory database in-process.

    python benchmarks/bench_match.py [ZIP] [--pins 10000] [--runs 5]

ZIP (default `../shared/data/osv-pypi-pypa.zip` beside the repository) is imported into a temporary
database once. Pins are drawn with a fixed seed: 60% name a package that has advisories (a version
from its records or a random one), 40% a package that has none. "cold" opens the database and loads
what the pins need on every run; "warm" reuses an open database whose package indexes are built.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
from pathlib import Path

from packaging.version import Version

from _common import Result, default_data_dir, private_data_dir, repeat, summarize, timed
from pysteward.engine.advisories import AdvisoryDatabase, import_advisories, match_all

__all__ = ["collect", "make_pins"]

# The target for matching 10,000 pins in-process.
TARGET_WALL = 0.05


def make_pins(db_path: Path, count: int) -> list[tuple[str, Version]]:
    """`count` pins, seeded, over the packages of the database and packages without advisories."""
    rng = random.Random(7)
    with sqlite3.connect(db_path) as conn:
        names = sorted(row[0] for row in conn.execute("SELECT DISTINCT name FROM affects"))
    with AdvisoryDatabase(db_path) as db:
        known = db.advisories_for(names)
    versions = {
        name: sorted({str(fix) for a in records for entry in a.affected for fix in entry.fixed} | {"1.0"})
        for name, records in known.items()
    }
    pins = []
    for _ in range(count):
        if rng.random() < 0.6:
            name = rng.choice(names)
            choice = rng.choice(versions.get(name, ["1.0"]))
            text = (
                choice
                if rng.random() < 0.5
                else f"{rng.randint(0, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
            )
            pins.append((name, Version(text)))
        else:
            pins.append(
                (
                    f"clean-package-{rng.randint(0, 5000)}",
                    Version(f"{rng.randint(0, 9)}.{rng.randint(0, 30)}"),
                )
            )
    return pins


def collect(source: Path, runs: int, count: int = 10_000) -> list[Result]:
    """Cold and warm matching of `count` pins against `source` imported into a temporary database."""
    with private_data_dir() as tmp:
        db_path = tmp / "advisories.sqlite3"
        import_advisories(source, db_path)
        pins = make_pins(db_path, count)
        distinct = len({name for name, _ in pins})

        def cold() -> None:
            with AdvisoryDatabase(db_path) as db:
                match_all(pins, db)

        cold_times = repeat(lambda: timed(cold), runs)
        with AdvisoryDatabase(db_path) as db:
            result = match_all(pins, db)
            warm_times = repeat(lambda: timed(lambda: match_all(pins, db)), runs)
    hits = sum(1 for found in result.values() if found)
    label = f"match {count} pins in-process"
    cold_result = summarize(f"{label} (cold: open + load + match)", cold_times, target_wall=TARGET_WALL)
    warm_result = summarize(f"{label} (warm: match only)", warm_times, target_wall=TARGET_WALL)
    print(f"{count} pins ({distinct} distinct names), {hits} affected, {runs} runs:")
    print(f"  cold (open + load + index + match) median {cold_result.wall * 1000:7.1f} ms")
    print(f"  warm (match only)                  median {warm_result.wall * 1000:7.1f} ms")
    return [cold_result, warm_result]


def main() -> None:
    """Print the matching benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zip", nargs="?", type=Path, default=default_data_dir() / "osv-pypi-pypa.zip")
    parser.add_argument("--pins", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    collect(args.zip, args.runs, args.pins)


if __name__ == "__main__":
    main()
