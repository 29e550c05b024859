"""Check (or with --fix, rewrite) the `--help` blocks in README.md against the real CLI.

A block is written as:

    <!-- help: steward assess -->
    ```text
    ...output of `steward assess --help`...
    ```
    <!-- /help -->
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- help: (?P<cmd>[^>]+?) -->\n```text\n)(?P<body>.*?)(```\n<!-- /help -->)", re.S)


def help_text(command: str) -> str:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "TYPER_USE_RICH": "0"}
    args = [sys.executable, "-m", "pysteward", *command.split()[1:], "--help"]
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
    return "\n".join(line.rstrip() for line in out.strip("\n").splitlines()) + "\n"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    stale = []

    def replace(match: re.Match[str]) -> str:
        current = help_text(match.group("cmd"))
        if current != match.group("body"):
            stale.append(match.group("cmd"))
        return match.group(1) + current + match.group(4)

    fixed = BLOCK.sub(replace, text)
    if "--fix" in sys.argv:
        README.write_text(fixed, encoding="utf-8")
        print(f"README.md: rewrote {len(stale)} help blocks")
        return 0
    if stale:
        print(
            f"README.md: --help is out of date for: {', '.join(stale)}; "
            "run scripts/check_readme_help.py --fix"
        )
        return 1
    print(f"README.md: {len(BLOCK.findall(text))} help blocks are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
