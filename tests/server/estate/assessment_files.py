"""Files for the assessment tests, with no server imports (the CLI tests use them too): a small
advisory database in the test's data directory, and small projects on disk for the real engine.

The advisory records are the hand-written ones of `tests/engine/assets/osv` (PyYAML 6.0 has a
critical advisory, Django 4.2.11 a high one fixed in 4.2.12, six 1.16.0 a low one, evil-pkg is
malicious); every test gets its own `STEWARD_DATA_DIR` (tests/conftest.py), so a copy goes there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pysteward.engine.advisories import default_db_path, import_advisories

OSV_RECORDS = Path(__file__).resolve().parents[2] / "engine" / "assets" / "osv"

REQUIREMENTS = "Django==4.2.11\nPyYAML==6.0\n"
"""Two vulnerable pins: Django (high, PYSEC-2099-1) and PyYAML (critical, PYSEC-2099-2)."""


def build_database(directory: Path) -> Path:
    """An advisory database of the test records, built in `directory`."""
    path = directory / "advisories.sqlite3"
    import_advisories(OSV_RECORDS, path)
    return path


def install_database(built: Path) -> Path:
    """Copy a built database to where the server's engine looks (this test's data directory)."""
    target = default_db_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, target)
    return target


def write_project(root: Path, requirements: str = REQUIREMENTS, *, python: str = "3.8") -> Path:
    """A project directory: requirements.txt, a pyproject with requires-python, a .python-version."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text(requirements, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "shop"\nversion = "1.0"\nrequires-python = ">={python}"\n', encoding="utf-8"
    )
    (root / ".python-version").write_text(f"{python}\n", encoding="utf-8")
    return root
