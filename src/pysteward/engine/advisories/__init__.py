"""The offline advisory database: OSV import, embedded store, PEP 440 matching, severity, grouping.

import_advisories(source, db_path)   zip, directory of JSON/YAML, or URL → SQLite
AdvisoryDatabase(db_path)             cheap read access, `advisories_for(names)`
match / match_all                     which records affect a package version
group                                 one `Vulnerability` per set of aliasing records
"""

from __future__ import annotations

from pysteward.engine.advisories.grouping import Vulnerability, group, primary_id
from pysteward.engine.advisories.importer import (
    DEFAULT_OSV_URL,
    ImportReport,
    import_advisories,
    update_advisories,
)
from pysteward.engine.advisories.interface import (
    AdvisoryError,
    AdvisorySource,
    DatabaseMissingError,
    SourceError,
)
from pysteward.engine.advisories.matching import AffectedAdvisory, PackageIndex, match, match_all
from pysteward.engine.advisories.memory import MemoryAdvisories
from pysteward.engine.advisories.osv import Advisory, AffectedPackage, MalformedRecord, parse_record
from pysteward.engine.advisories.severity import Rating
from pysteward.engine.advisories.store import AdvisoryDatabase, DatabaseStatus, db_status, default_db_path

__all__ = [
    "DEFAULT_OSV_URL",
    "Advisory",
    "AdvisoryDatabase",
    "AdvisoryError",
    "AdvisorySource",
    "AffectedAdvisory",
    "AffectedPackage",
    "DatabaseMissingError",
    "DatabaseStatus",
    "ImportReport",
    "MalformedRecord",
    "MemoryAdvisories",
    "PackageIndex",
    "Rating",
    "SourceError",
    "Vulnerability",
    "db_status",
    "default_db_path",
    "group",
    "import_advisories",
    "match",
    "match_all",
    "parse_record",
    "primary_id",
    "update_advisories",
]
