"""Hand-written OSV records for the fix tests, and a database built from them.

- alpha: fixed in 1.2.0 and, on the 2.x line, in 2.1.0; the lowest safe version from 1.1.0 is 1.2.0.
- beta: BETA-1 is fixed in 1.5, but 1.5 brings BETA-2 (fixed in 1.6): from 1.4 the answer is 1.6.
- gamma: fixed only in 3.0.0, a major version away from 2.x.
- delta: every version affected, no fix: unfixable.
- epsilon: fixed in 2.0rc1 and in 2.0 by two records; a final release wants 2.0.
- theta: two records that list affected versions only (1.0 and 1.1).
- withdrawn: a withdrawn record for alpha that would make every version vulnerable; never counts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pysteward.engine.advisories import Advisory, import_advisories, parse_record


def _record(
    record_id: str,
    package: str,
    *ranges: tuple[str, ...],
    versions: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    """An OSV record; each range is (introduced, fixed?) as strings."""
    affected: dict[str, Any] = {"package": {"ecosystem": "PyPI", "name": package}}
    if ranges:
        affected["ranges"] = [
            {
                "type": "ECOSYSTEM",
                "events": [{"introduced": r[0]}, *({"fixed": f} for f in r[1:])],
            }
            for r in ranges
        ]
    if versions:
        affected["versions"] = list(versions)
    return {
        "schema_version": "1.6.0",
        "id": record_id,
        "modified": "2099-01-01T00:00:00Z",
        "aliases": list(aliases),
        "summary": f"test advisory {record_id}",
        "affected": [affected],
        **extra,
    }


RECORDS = [
    _record("PYSEC-2099-101", "alpha", ("0", "1.2.0"), ("2.0", "2.1.0"), aliases=("CVE-2099-9101",)),
    _record("PYSEC-2099-102", "beta", ("0", "1.5")),
    _record("PYSEC-2099-103", "beta", ("1.5", "1.6"), aliases=("CVE-2099-9103",)),
    _record("PYSEC-2099-104", "gamma", ("0", "3.0.0")),
    _record("PYSEC-2099-105", "delta", ("0",)),
    _record("PYSEC-2099-106", "epsilon", ("0", "2.0rc1")),
    _record("PYSEC-2099-107", "epsilon", ("0", "2.0")),
    _record("PYSEC-2099-108", "theta", versions=("1.0",)),
    _record("PYSEC-2099-109", "theta", versions=("1.1",)),
    _record("PYSEC-2099-110", "alpha", ("0",), withdrawn="2099-02-01T00:00:00Z"),
]


def advisories() -> list[Advisory]:
    """The records parsed, for `MemoryAdvisories`."""
    return [parse_record(r) for r in RECORDS]


def build_database(directory: Path) -> Path:
    """Write the records into `directory/osv` and import them into `directory/advisories.sqlite3`."""
    source = directory / "osv"
    source.mkdir(parents=True)
    for record in RECORDS:
        (source / f"{record['id']}.json").write_text(json.dumps(record), encoding="utf-8")
    database = directory / "advisories.sqlite3"
    import_advisories(source, database)
    return database
