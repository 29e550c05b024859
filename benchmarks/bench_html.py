"""Benchmark: `steward assess --format html -o FILE` on paperless-ngx's `uv.lock` (target < 1 s).

    python benchmarks/bench_html.py [DATA] [--runs 5]

DATA defaults to `../shared/data` beside the repository. The lockfile is copied into a temporary
directory as `uv.lock` (detection is by file name); the advisory database is imported once from
`DATA/osv-pypi-pypa.zip` into a private STEWARD_DATA_DIR (not timed). Every run is a real subprocess of
the installed `steward` console script, interpreter start included, after one unmeasured warm-up.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from functools import partial
from pathlib import Path

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

__all__ = ["collect"]

LOCKFILE = "paperless-ngx-paperless-ngx-uv.lock"
TARGET_WALL = 1.0


def collect(data: Path, runs: int, *, bytecode_cache: bool = True) -> list[Result]:
    """The HTML report of paperless-ngx's lockfile, `runs` times; one Result."""
    with (
        private_data_dir(bytecode_cache=bytecode_cache),
        tempfile.TemporaryDirectory(prefix="steward-html-") as tmp,
    ):
        work = Path(tmp)
        project = work / "paperless-ngx"
        project.mkdir()
        shutil.copyfile(data / "real-world" / LOCKFILE, project / "uv.lock")
        import_database(data / "osv-pypi-pypa.zip")
        report = work / "report.html"
        argv = [steward(), "assess", str(project), "--format", "html", "-o", str(report)]
        run_child(argv, ok=ASSESS_OK)
        text = report.read_text(encoding="utf-8")
        print(f"  {LOCKFILE}: HTML report of {len(text):,} characters, {text.count('<tr>'):,} table rows")
        samples = repeat(partial(run_child, argv, ok=ASSESS_OK), runs)
    return [summarize(f"assess --format html {LOCKFILE}", samples, target_wall=TARGET_WALL)]


def main() -> None:
    """Print the HTML report benchmark as a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    args = parser.parse_args()
    print(format_table(collect(args.data, args.runs, bytecode_cache=args.bytecode_cache)))


if __name__ == "__main__":
    main()
