"""The package index: where it is (as pip finds it), and what it says about projects.

    find_index()        the index URL: PIP_INDEX_URL, UV_INDEX_URL, pip's configuration, pip's default
    fetch_projects()    batch look-ups: bounded concurrency, retries, an on-disk cache, an offline mode

Used by maintenance health (`pysteward.engine.health`) and by the license work for lockfile-only
projects (`ProjectInfo.license_for`).
"""

from pysteward.engine.index.client import (
    DEFAULT_TTL_SECONDS,
    FetchOptions,
    RetryPolicy,
    default_cache_dir,
    fetch_projects,
)
from pysteward.engine.index.location import IndexLocation, find_index, redact
from pysteward.engine.index.values import (
    INACTIVE_CLASSIFIER,
    IndexFailure,
    IndexLookup,
    LicenseFields,
    PackageIndexError,
    ProjectInfo,
    ProjectState,
    ProjectStatus,
    Release,
)

__all__ = [
    "DEFAULT_TTL_SECONDS",
    "INACTIVE_CLASSIFIER",
    "FetchOptions",
    "IndexFailure",
    "IndexLocation",
    "IndexLookup",
    "LicenseFields",
    "PackageIndexError",
    "ProjectInfo",
    "ProjectState",
    "ProjectStatus",
    "Release",
    "RetryPolicy",
    "default_cache_dir",
    "fetch_projects",
    "find_index",
    "redact",
]
