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
import statistics
import tempfile
import time
from pathlib import Path

from packaging.version import Version

from pysteward.engine.advisories import AdvisoryDatabase, import_advisories, match_all

ROOT = Path(__file__).resolve().parent.parent


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


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "zip", nargs="?", type=Path, default=ROOT.parent / "shared" / "data" / "osv-pypi-pypa.zip"
    )
    parser.add_argument("--pins", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "advisories.sqlite3"
        import_advisories(args.zip, db_path)
        pins = make_pins(db_path, args.pins)
        distinct = len({name for name, _ in pins})

        def cold() -> None:
            with AdvisoryDatabase(db_path) as db:
                match_all(pins, db)

        cold_times = [timed(cold) for _ in range(args.runs)]
        with AdvisoryDatabase(db_path) as db:
            result = match_all(pins, db)
            warm_times = [timed(lambda: match_all(pins, db)) for _ in range(args.runs)]
        hits = sum(1 for found in result.values() if found)
        print(f"{args.pins} pins ({distinct} distinct names), {hits} affected, {args.runs} runs:")
        print(f"  cold (open + load + index + match) median {statistics.median(cold_times) * 1000:7.1f} ms")
        print(f"  warm (match only)                  median {statistics.median(warm_times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
