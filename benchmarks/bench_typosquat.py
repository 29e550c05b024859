"""Benchmark: the typosquat false-positive rate on the 15,000 most downloaded project names.

    python benchmarks/bench_typosquat.py [TOP_PACKAGES_JSON] [--pairs 30] [--top N] [--ratio R] ...

The file (default `../shared/data/top-pypi-packages.json` beside the repository) is loaded as the
popular-names list, and every one of its names is checked against the others. Each of them is a real,
popular project, so every flag is a false positive, or a real squat that made it into the list. The
script prints how many names are flagged, the rate, the time taken and the first flagged pairs; it
also checks that the classic squats below are still caught, so tuning cannot trade them away.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from packaging.utils import NormalizedName

from _common import Result, default_data_dir
from pysteward.engine.typosquat import (
    DEFAULT_THRESHOLDS,
    PopularNames,
    Suspicion,
    TyposquatThresholds,
    find_typosquats,
    parse_top_packages,
    typosquat_candidates,
)

__all__ = ["CLASSIC_SQUATS", "collect", "measure"]

# Names that imitate popular packages, with the package each must be flagged against.
CLASSIC_SQUATS = (
    ("reqeusts", "requests"),
    ("requets", "requests"),
    ("requestss", "requests"),
    ("python-dateutils", "python-dateutil"),
    ("pythondateutil", "python-dateutil"),
    ("urlib3", "urllib3"),
    ("urllib", "urllib3"),
    ("beautifulsoup", "beautifulsoup4"),
    ("crypt0graphy", "cryptography"),
    ("cryptograhpy", "cryptography"),
    ("py-requests", "requests"),
    ("requests-python", "requests"),
    ("python3-requests", "requests"),
    ("nunpy", "numpy"),
    ("numpyy", "numpy"),
    ("pandsa", "pandas"),
    ("djnago", "django"),
    ("tensorfow", "tensorflow"),
    ("matplotllib", "matplotlib"),
    ("requests-py", "requests"),
    ("setuptool", "setuptools"),
)
# The bar for the rate (well under 1%).
TARGET_RATE = 0.01


def measure(
    popular: PopularNames, thresholds: TyposquatThresholds
) -> tuple[dict[NormalizedName, list[Suspicion]], float]:
    """Every name of `popular` checked against the others: the flagged ones, and the seconds taken."""
    start = time.perf_counter()
    flagged = find_typosquats((name for name, _ in popular.names), popular, thresholds)
    return flagged, time.perf_counter() - start


def missed_squats(popular: PopularNames, thresholds: TyposquatThresholds) -> list[str]:
    """The classic squats that are not flagged against their package (empty when all are caught)."""
    missed = []
    for name, target in CLASSIC_SQUATS:
        if target not in {s.similar_to for s in typosquat_candidates(name, popular, thresholds)}:
            missed.append(f"{name} -> {target}")
    return missed


def collect(source: Path, thresholds: TyposquatThresholds = DEFAULT_THRESHOLDS, pairs: int = 30) -> Result:
    """Measure, print the report, and return the timing as a benchmark result."""
    load_start = time.perf_counter()
    popular = parse_top_packages(source.read_bytes(), source=str(source))
    load = time.perf_counter() - load_start
    flagged, seconds = measure(popular, thresholds)
    rate = len(flagged) / len(popular)
    print(f"popular list: {len(popular)} names as of {popular.as_of} (parsed in {load * 1000:.0f} ms)")
    print(f"thresholds: {thresholds}")
    print(f"checked {len(popular)} names against the others in {seconds:.2f} s")
    verdict = "met" if rate < TARGET_RATE else "NOT MET"
    print(f"flagged: {len(flagged)} ({rate:.3%}; target < {TARGET_RATE:.0%}: {verdict})")
    for name, suspicions in list(flagged.items())[:pairs]:
        s = suspicions[0]
        print(
            f"  {name} (rank {popular.rank(name)}, {s.downloads:,}) ~ {s.similar_to} "
            f"(rank {s.similar_rank}, {s.similar_downloads:,}): {s.reason}"
        )
    # The same names beyond the targets, as if they were not in the list (0 downloads): how often an
    # honest but little-known package would be flagged, which no popularity gap can prevent.
    targets = PopularNames(popular.as_of, popular.source, popular.names[: thresholds.top])
    rest = [name for name, _ in popular.names[thresholds.top :]]
    unlisted = find_typosquats(rest, targets, thresholds)
    share = len(unlisted) / len(rest) if rest else 0.0
    below = f"names ranked below {thresholds.top}, counted as unlisted"
    print(f"{below}: {len(unlisted)} of {len(rest)} ({share:.2%})")
    missed = missed_squats(popular, thresholds)
    caught = len(CLASSIC_SQUATS) - len(missed)
    print(
        f"classic squats caught: {caught}/{len(CLASSIC_SQUATS)}" + (f"; missed: {missed}" if missed else "")
    )
    return Result(name="typosquat check of 15,000 names against each other", wall=seconds, rss=None, runs=1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=default_data_dir() / "top-pypi-packages.json",
        help="top-packages JSON (default: ../shared/data/top-pypi-packages.json beside the repository)",
    )
    parser.add_argument("--pairs", type=int, default=30, help="flagged pairs to print")
    defaults = DEFAULT_THRESHOLDS
    parser.add_argument("--top", type=int, default=defaults.top)
    parser.add_argument("--ratio", type=float, default=defaults.min_ratio)
    parser.add_argument("--safe-rank", type=int, default=defaults.safe_rank)
    parser.add_argument("--short-ratio", type=float, default=defaults.short_min_ratio)
    args = parser.parse_args()
    thresholds = TyposquatThresholds(
        top=args.top,
        min_ratio=args.ratio,
        safe_rank=args.safe_rank,
        short_length=defaults.short_length,
        short_min_ratio=args.short_ratio,
    )
    collect(args.source, thresholds, args.pairs)


if __name__ == "__main__":
    main()
