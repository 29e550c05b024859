"""Typosquats: dependencies named almost like a much more popular package (issue 3 §5).

OperationalError (pysteward.errors)
└── PopularNamesError              a popular-names list cannot be read or written
    └── InvalidPopularNamesError   a downloaded list failed validation (the old one is kept)
"""

from pysteward.engine.typosquat._edits import Trick
from pysteward.engine.typosquat.detect import (
    DEFAULT_THRESHOLDS,
    RULE,
    Suspicion,
    TyposquatThresholds,
    find_typosquats,
    typosquat_candidates,
    typosquat_findings,
)
from pysteward.engine.typosquat.names import (
    BUNDLED,
    FILE_NAME,
    PopularNames,
    PopularNamesError,
    load_popular_names,
    read_popular_names,
    save_popular_names,
)
from pysteward.engine.typosquat.update import (
    DEFAULT_URL,
    URL_ENV,
    InvalidPopularNamesError,
    PopularNamesUpdate,
    bundle_popular_names,
    parse_top_packages,
    popular_names_url,
    update_popular_names,
)

__all__ = [
    "BUNDLED",
    "DEFAULT_THRESHOLDS",
    "DEFAULT_URL",
    "FILE_NAME",
    "RULE",
    "URL_ENV",
    "InvalidPopularNamesError",
    "PopularNames",
    "PopularNamesError",
    "PopularNamesUpdate",
    "Suspicion",
    "Trick",
    "TyposquatThresholds",
    "bundle_popular_names",
    "find_typosquats",
    "load_popular_names",
    "parse_top_packages",
    "popular_names_url",
    "read_popular_names",
    "save_popular_names",
    "typosquat_candidates",
    "typosquat_findings",
    "update_popular_names",
]
