"""Regenerate the initial migration from the models (only while no release has shipped it).

    .venv/bin/python scripts/regenerate_migration.py

Autogenerates against an empty SQLite database, then formats the file. Read the result (STYLE 27).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from pysteward.store.migrate import SCRIPTS, alembic_config

INITIAL = "0001"


def main() -> None:
    for old in (SCRIPTS / "versions").glob(f"{INITIAL}_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as work:
        config = alembic_config(f"sqlite:///{Path(work) / 'empty.sqlite3'}")
        command.revision(config, message="initial schema", autogenerate=True, rev_id=INITIAL)
    created = next((SCRIPTS / "versions").glob(f"{INITIAL}_*.py"))
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(created)], check=True)
    subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--fix", "--unsafe-fixes", "--quiet", str(created)],
        check=True,
    )
    print(created)


if __name__ == "__main__":
    main()
