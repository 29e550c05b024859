"""Benchmark: `steward assess` on real-world lockfiles and a synthetic 2,000-dependency `uv.lock`.

    python benchmarks/bench_assess.py [DATA] [--runs 5] [--packages 2000]

DATA defaults to `../shared/data` beside the repository. The advisory database is imported once
(`steward db import DATA/osv-pypi-pypa.zip`, not timed) into a private STEWARD_DATA_DIR. Every run
is a real subprocess of the installed `steward` console script, interpreter start included; peak RSS
is the child's own (`os.wait4`). Each input is assessed three ways: its directory with `--format json
-o FILE` (the file copied under its real name, since detection is by file name), the same directory
with the default table sent to /dev/null, and the file given directly by path with JSON output.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from packaging.version import InvalidVersion, Version

from _common import (
    ASSESS_OK,
    MB,
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

__all__ = ["collect", "synthetic_uv_lock"]

TARGET_RSS = 150 * MB
# The wall-time target applies to the 276-package paperless-ngx lock.
WALL_TARGETS = {"paperless-ngx-paperless-ngx-uv.lock": 0.5}
REGISTRY = "https://pypi.invalid/simple"
FILES = "https://files.pypi.invalid/packages"
MARKERS = (
    "sys_platform == 'win32'",
    "python_full_version < '3.12'",
    "platform_python_implementation == 'CPython'",
    "sys_platform == 'darwin' or sys_platform == 'linux'",
)


def _vulnerable_pins(osv_zip: Path, count: int, rng: random.Random) -> dict[str, str]:
    """`count` packages of the OSV export, each at a version one of its advisories lists as affected."""
    listed: dict[str, list[str]] = {}
    with zipfile.ZipFile(osv_zip) as archive:
        for info in archive.infolist():
            record = json.loads(archive.read(info))
            if record.get("withdrawn"):
                continue
            for affected in record.get("affected", []):
                name = affected.get("package", {}).get("name", "").lower()
                listed.setdefault(name, []).extend(affected.get("versions", []))
    pins = {}
    for name in rng.sample(sorted(n for n, v in listed.items() if v), count):
        version = rng.choice(sorted(set(listed[name])))
        try:
            pins[name] = str(Version(version))
        except InvalidVersion:
            continue
    return pins


def _plausible_version(rng: random.Random) -> str:
    major = rng.choice((0, 0, 1, 1, 2, 3, 4, 5, 23, 24))
    return f"{major}.{rng.randint(0, 30)}.{rng.randint(0, 15)}"


def _choose_packages(data: Path, total: int, rng: random.Random) -> tuple[list[tuple[str, str]], int]:
    """(name, version) pairs, ~5% at known-vulnerable versions, the rest popular names; that 5%'s count."""
    pins = _vulnerable_pins(data / "osv-pypi-pypa.zip", max(1, total // 20), rng)
    vulnerable = len(pins)
    rows = json.loads((data / "top-pypi-packages.json").read_text(encoding="utf-8"))["rows"]
    for row in rows:
        if len(pins) >= total:
            break
        pins.setdefault(row["project"].lower(), _plausible_version(rng))
    packages = list(pins.items())
    rng.shuffle(packages)
    return packages, vulnerable


def _hash(rng: random.Random) -> str:
    return f"sha256:{rng.getrandbits(256):064x}"


def _artifact(name: str, version: str, suffix: str, rng: random.Random) -> str:
    folder = f"{rng.getrandbits(8):02x}/{rng.getrandbits(8):02x}/{rng.getrandbits(240):060x}"
    file = f"{name.replace('-', '_')}-{version}{suffix}"
    size = rng.randint(5_000, 9_000_000)
    return f'{{ url = "{FILES}/{folder}/{file}", hash = "{_hash(rng)}", size = {size} }}'


def _edge(name: str, rng: random.Random) -> str:
    if rng.random() < 0.1:
        return f'    {{ name = "{name}", marker = "{rng.choice(MARKERS)}" }},'
    return f'    {{ name = "{name}" }},'


def _package_block(name: str, version: str, children: list[str], rng: random.Random) -> Iterator[str]:
    yield "[[package]]"
    yield f'name = "{name}"'
    yield f'version = "{version}"'
    yield f'source = {{ registry = "{REGISTRY}" }}'
    if children:
        yield "dependencies = ["
        yield from (_edge(child, rng) for child in sorted(children))
        yield "]"
    yield f"sdist = {_artifact(name, version, '.tar.gz', rng)}"
    yield "wheels = ["
    for tag in rng.sample(("py3-none-any", "cp311-cp311-manylinux_2_17_x86_64", "cp312-cp312-win_amd64"), 2):
        yield f"    {_artifact(name, version, f'-{tag}.whl', rng)},"
    yield "]"
    yield ""


def _root_block(direct: list[str], dev: list[str]) -> Iterator[str]:
    yield "[[package]]"
    yield 'name = "synthetic-app"'
    yield 'version = "0.1.0"'
    yield 'source = { virtual = "." }'
    yield "dependencies = ["
    yield from (f'    {{ name = "{name}" }},' for name in sorted(direct))
    yield "]"
    yield ""
    yield "[package.dev-dependencies]"
    yield "dev = ["
    yield from (f'    {{ name = "{name}" }},' for name in sorted(dev))
    yield "]"
    yield ""


def synthetic_uv_lock(data: Path, path: Path, total: int, seed: int = 2026) -> int:
    """Write a `uv.lock` of `total` registry packages in one dependency graph; the vulnerable pins' count."""
    rng = random.Random(seed)
    packages, vulnerable = _choose_packages(data, total, rng)
    names = [name for name, _ in packages]
    # A DAG: the first names are direct (150 main, 20 dev); every later package has a parent before it.
    children: dict[str, list[str]] = {name: [] for name in names}
    for index in range(170, len(names)):
        parents = {rng.randrange(0, index) for _ in range(rng.choice((1, 1, 2, 3)))}
        for parent in parents:
            children[names[parent]].append(names[index])
    lines = ["version = 1", "revision = 3", 'requires-python = ">=3.11"', ""]
    blocks = {name: list(_package_block(name, version, children[name], rng)) for name, version in packages}
    blocks["synthetic-app"] = list(_root_block(names[:150], names[150:170]))
    for name in sorted(blocks):
        lines.extend(blocks[name])
    path.write_text("\n".join(lines), encoding="utf-8")
    return vulnerable


def _real_name(file: Path) -> str:
    return "uv.lock" if file.name.endswith("uv.lock") else "requirements.txt"


def _describe(report: Path) -> str:
    document = json.loads(report.read_text(encoding="utf-8"))
    dependencies = document["dependencies"]
    affected = sum(1 for d in dependencies if d.get("vulns"))
    return f"{len(dependencies)} dependencies, {affected} with known vulnerabilities"


def _measure(label: str, copy_dir: Path, original: Path, work: Path, runs: int) -> list[Result]:
    """The three ways of assessing one input, each warmed once and then run `runs` times."""
    report = work / "report.json"
    cases = (
        ("dir, json", [str(copy_dir), "--format", "json", "-o", str(report)]),
        ("dir, table", [str(copy_dir)]),
        ("path, json", [str(original), "--format", "json", "-o", str(report)]),
    )
    results = []
    for mode, args in cases:
        argv = [steward(), "assess", *args]
        run_child(argv, ok=ASSESS_OK)
        if mode != "dir, table":
            print(f"  {label} ({mode}): {_describe(report)}")
        samples = repeat(partial(run_child, argv, ok=ASSESS_OK), runs)
        results.append(
            summarize(
                f"assess {label} ({mode})",
                samples,
                target_wall=WALL_TARGETS.get(original.name),
                target_rss=TARGET_RSS,
            )
        )
    return results


def collect(data: Path, runs: int, packages: int = 2000, *, bytecode_cache: bool = True) -> list[Result]:
    """Assess each real-world file and the synthetic lock; one Result per input and mode."""
    results = []
    with (
        private_data_dir(bytecode_cache=bytecode_cache),
        tempfile.TemporaryDirectory(prefix="steward-assess-") as tmp,
    ):
        work = Path(tmp)
        import_database(data / "osv-pypi-pypa.zip")
        for original in sorted((data / "real-world").iterdir()):
            copy_dir = work / original.name.replace(".", "_")
            copy_dir.mkdir()
            shutil.copyfile(original, copy_dir / _real_name(original))
            results.extend(_measure(original.name, copy_dir, original, work, runs))
        synthetic_dir = work / "synthetic"
        synthetic_dir.mkdir()
        lock = synthetic_dir / "uv.lock"
        vulnerable = synthetic_uv_lock(data, lock, packages)
        size = lock.stat().st_size / MB
        print(
            f"  synthetic uv.lock: {packages} packages "
            f"({vulnerable} at listed-vulnerable versions), {size:.1f} MB"
        )
        results.extend(_measure(f"synthetic {packages}-package uv.lock", synthetic_dir, lock, work, runs))
    return results


def main() -> None:
    """Print the assess benchmarks as a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--packages", type=int, default=2000, help="packages in the synthetic uv.lock")
    args = parser.parse_args()
    print(format_table(collect(args.data, args.runs, args.packages, bytecode_cache=args.bytecode_cache)))


if __name__ == "__main__":
    main()
