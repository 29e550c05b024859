"""Locating `../shared/data` outside fixtures (for parametrising at collection time)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def shared_data_path() -> Path:
    """`STEWARD_SHARED_DATA`, else `../shared/data` beside the repository."""
    return Path(os.environ.get("STEWARD_SHARED_DATA", REPO.parent / "shared" / "data"))


SCALIBR = "lockfile-fixtures/osv-scalibr"


@cache
def scalibr_expected() -> dict[str, Any]:
    """The osv-scalibr fixtures' expected results, keyed by fixture path."""
    path = shared_data_path() / SCALIBR / "expected.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def scalibr_cases(extractor: str) -> list[tuple[str, dict[str, Any]]]:
    """(fixture path, expectation) for every *tested* fixture of `python/<extractor>`."""
    return sorted(
        (key, spec)
        for key, spec in scalibr_expected().items()
        if spec["extractor"] == f"python/{extractor}" and spec.get("tested", True)
    )


def scalibr_file(key: str) -> Path:
    """Absolute path of one osv-scalibr fixture."""
    return shared_data_path() / SCALIBR / key
