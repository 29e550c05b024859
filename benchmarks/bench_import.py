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
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = (
    "import sys; from pathlib import Path;"
    "from pysteward.engine.advisories import import_advisories;"
    "import_advisories(Path(sys.argv[1]), Path(sys.argv[2]))"
)


def run_import(source: Path, db_path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one import in a child process."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(source), str(db_path)])
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"import failed with exit code {child.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def measure(label: str, source: Path, runs: int, work: Path) -> None:
    fresh, reimport = [], []
    for run in range(runs):
        db_path = work / f"{label}-{run}.sqlite3"
        fresh.append(run_import(source, db_path))
        reimport.append(run_import(source, db_path))
    for kind, results in (("fresh import", fresh), ("unchanged re-import", reimport)):
        wall = statistics.median(t for t, _ in results)
        rss = max(r for _, r in results)
        print(f"{label:>24} {kind:<20} median {wall:6.2f} s   peak RSS {rss:6.1f} MiB   ({runs} runs)")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "zip", nargs="?", type=Path, default=ROOT.parent / "shared" / "data" / "osv-pypi-pypa.zip"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--records", type=int, default=25_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        measure(args.zip.name, args.zip, args.runs, work)
        synthetic = synthetic_zip(work / "synthetic.zip", args.records)
        print(f"synthetic export: {args.records} records, {synthetic.stat().st_size / 2**20:.1f} MiB zip")
        measure(f"synthetic-{args.records}", synthetic, args.runs, work)


if __name__ == "__main__":
    main()
