"""Benchmark: importing OSV exports into the advisory database (wall time and peak RSS).

    python benchmarks/bench_import.py [ZIP] [--runs 5] [--records 25000]

ZIP defaults to `../shared/data/osv-pypi-pypa.zip` beside the repository. Each import runs in a fresh
subprocess (and a fresh database) so peak RSS is that of the import alone, read with `os.wait4`.
A synthetic export of `--records` realistic records (several ranges, versions lists, aliases) is
generated in a temporary directory and measured the same way, plus an unchanged re-import.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import zipfile
from pathlib import Path

from _common import Result, add_bytecode_argument, default_data_dir, private_data_dir, run_child, summarize

__all__ = ["collect", "synthetic_zip"]

# The target: a fresh import of an export the size of OSV's PyPI one in under 10 s.
TARGET_WALL = 10.0
CHILD = (
    "import sys; from pathlib import Path;"
    "from pysteward.engine.advisories import import_advisories;"
    "import_advisories(Path(sys.argv[1]), Path(sys.argv[2]))"
)


def measure(label: str, source: Path, runs: int, work: Path, target: float | None = None) -> list[Result]:
    """Fresh import and unchanged re-import of `source`, `runs` times each; print and return both."""
    fresh, reimport = [], []
    for run in range(runs):
        db_path = work / f"{label}-{run}.sqlite3"
        fresh.append(run_child([sys.executable, "-c", CHILD, str(source), str(db_path)]))
        reimport.append(run_child([sys.executable, "-c", CHILD, str(source), str(db_path)]))
    results = []
    for kind, samples in (("fresh import", fresh), ("unchanged re-import", reimport)):
        result = summarize(
            f"import {label} ({kind})", samples, target_wall=target if kind == "fresh import" else None
        )
        rss = (result.rss or 0) / 2**20
        print(f"{label:>24} {kind:<20} median {result.wall:6.2f} s   peak RSS {rss:6.1f} MiB   ({runs} runs)")
        results.append(result)
    return results


def _history(rng: random.Random) -> list[str]:
    versions: list[str] = []
    for major in range(rng.randint(1, 4)):
        for minor in range(rng.randint(2, 8)):
            versions.extend(f"{major}.{minor}.{patch}" for patch in range(rng.randint(1, 6)))
            if rng.random() < 0.3:
                versions.insert(len(versions) - 1, f"{major}.{minor}.0rc1")
    return versions


def _record(index: int, name: str, history: list[str], rng: random.Random) -> dict[str, object]:
    ranges, affected = [], []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        events, cursor = [], 0
        for _ in range(rng.randint(1, 4)):
            start = rng.randint(cursor, max(cursor, len(history) - 2))
            end = rng.randint(start + 1, len(history)) if start + 1 < len(history) else len(history)
            events.append({"introduced": "0" if start == 0 else history[start]})
            affected.extend(history[start:end])
            if end < len(history):
                events.append({"fixed": history[end]})
            cursor = end + 1
            if cursor >= len(history) - 1:
                break
        ranges.append({"type": "ECOSYSTEM", "events": events})
    ranges.append(
        {
            "type": "GIT",
            "repo": f"https://git.invalid/{name}",
            "events": [{"introduced": "0"}, {"fixed": f"{index:040x}"}],
        }
    )
    record: dict[str, object] = {
        "id": f"PYSEC-2099-{index}",
        "details": f"{name} mishandles crafted input, which lets a remote attacker cause harm. " * 6,
        "aliases": [f"CVE-2099-{index}", f"GHSA-{index:04x}-syn-{index % 997:04x}"],
        "modified": f"2024-{index % 12 + 1:02d}-01T00:00:00.{index:06d}Z",
        "published": "2023-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"name": name, "ecosystem": "PyPI"},
                "ranges": ranges,
                "versions": sorted(set(affected)),
            }
        ],
        "references": [{"type": "WEB", "url": f"https://advisories.invalid/{index}"}],
    }
    if index % 10 == 0:
        record["severity"] = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    return record


def synthetic_zip(path: Path, count: int) -> Path:
    """An `all.zip` of `count` realistic records over count/10 packages."""
    rng = random.Random(2026)
    packages = [(f"synthetic-package-{i}", _history(rng)) for i in range(max(1, count // 10))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(count):
            name, history = rng.choice(packages)
            record = _record(index, name, history, rng)
            archive.writestr(f"{record['id']}.json", json.dumps(record, indent=2))
    return path


def collect(source: Path, runs: int, records: int = 25_000, *, bytecode_cache: bool = True) -> list[Result]:
    """Import `source` and a synthetic export of `records` records; one Result per export and kind."""
    with private_data_dir(bytecode_cache=bytecode_cache), tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results = measure(source.name, source, runs, work)
        synthetic = synthetic_zip(work / "synthetic.zip", records)
        print(f"synthetic export: {records} records, {synthetic.stat().st_size / 2**20:.1f} MiB zip")
        results += measure(f"synthetic-{records}", synthetic, runs, work, TARGET_WALL)
    return results


def main() -> None:
    """Print the import benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zip", nargs="?", type=Path, default=default_data_dir() / "osv-pypi-pypa.zip")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--records", type=int, default=25_000)
    add_bytecode_argument(parser)
    args = parser.parse_args()
    collect(args.zip, args.runs, args.records, bytecode_cache=args.bytecode_cache)


if __name__ == "__main__":
    main()
