"""Benchmark: CycloneDX JSON of the warehouse requirements, `steward sbom` beside `cyclonedx-py`.

    python benchmarks/bench_sbom.py [DATA] [--runs 5]

Both are real subprocesses (interpreter start included), neither validates against the schema
(`cyclonedx-py --no-validate`; Steward never validates at run time), and neither touches the network:
`cyclonedx-py requirements` reads the file without resolving anything, and Steward reads its advisory
database (imported once, not timed, into a private STEWARD_DATA_DIR). Steward's command is run through
a two-line launcher until the lead registers `sbom` in the app. The figure is the ratio of medians,
steward / cyclonedx-py; the issue's target is at most 0.5.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from functools import partial
from pathlib import Path

from _common import (
    Result,
    add_common_arguments,
    format_table,
    import_database,
    private_data_dir,
    repeat,
    run_child,
    summarize,
)

__all__ = ["collect"]

TARGET_RATIO = 0.5
FILE = Path("real-world") / "pypi-warehouse-requirements-main.txt"
_LAUNCHER = (
    "import sys, typer\n"
    "from pysteward.cli.sbom import sbom_command\n"
    "sys.argv[0] = 'steward sbom'\n"
    "typer.run(sbom_command)\n"
)


def _steward_argv(requirements: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", _LAUNCHER, "-r", str(requirements), "-o", str(out)]


def _reference_argv(requirements: Path, out: Path) -> list[str]:
    script = Path(sys.executable).parent / "cyclonedx-py"
    if not script.exists():
        raise SystemExit("cyclonedx-py not installed beside this interpreter: pip install cyclonedx-bom")
    return [str(script), "requirements", "--no-validate", "--of", "JSON", "-o", str(out), str(requirements)]


def _components(path: Path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8"))["components"])


def collect(data: Path, runs: int, *, bytecode_cache: bool = True) -> tuple[list[Result], float]:
    """Both tools' results and the ratio of their medians (steward / cyclonedx-py)."""
    requirements = data / FILE
    with private_data_dir(bytecode_cache=bytecode_cache), tempfile.TemporaryDirectory() as tmp:
        import_database(data / "osv-pypi-pypa.zip")
        results = []
        for name, argv in (
            ("steward sbom (cyclonedx-json)", _steward_argv(requirements, Path(tmp) / "steward.json")),
            ("cyclonedx-py requirements", _reference_argv(requirements, Path(tmp) / "reference.json")),
        ):
            run_child(argv)  # warm-up, not measured
            out = Path(argv[argv.index("-o") + 1])
            print(f"  {name}: {_components(out)} components")
            results.append(summarize(name, repeat(partial(run_child, argv), runs)))
    return results, results[0].wall / results[1].wall


def main() -> None:
    """Print both tools' medians and the ratio beside its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    args = parser.parse_args()
    results, ratio = collect(args.data, args.runs, bytecode_cache=args.bytecode_cache)
    print(format_table(results))
    met = "yes" if ratio <= TARGET_RATIO else "NO"
    print(f"ratio steward / cyclonedx-py: {ratio:.2f} (target <= {TARGET_RATIO}; met? {met})")


if __name__ == "__main__":
    main()
