"""Python runtime: which Python versions a project declares, and where CPython stands on end of life.

OperationalError (pysteward.errors)
└── ReleaseCycleError              a release-cycle table is unusable
    └── InvalidReleaseCycleError   a downloaded table failed validation (the old one is kept)
"""

from pysteward.engine.runtime._model import (
    DeclarationKind,
    RangeDeclaration,
    RuntimeDeclaration,
    VersionDeclaration,
    parse_python_version,
    parse_specifier,
)
from pysteward.engine.runtime.cycle import (
    CycleEntry,
    ReleaseCycle,
    ReleaseCycleError,
    ReleaseStatus,
    RuntimeStatus,
    minor_of,
)
from pysteward.engine.runtime.detect import (
    RuntimeScan,
    admits_minor,
    detect_runtimes,
    target_versions,
)
from pysteward.engine.runtime.python2 import (
    Python2Construct,
    Python2Evidence,
    find_python2_code,
    pins_python2,
)
from pysteward.engine.runtime.update import (
    DEFAULT_URL,
    InvalidReleaseCycleError,
    ReleaseCycleUpdate,
    release_cycle_url,
    update_release_cycle,
)

__all__ = [
    "DEFAULT_URL",
    "CycleEntry",
    "DeclarationKind",
    "InvalidReleaseCycleError",
    "Python2Construct",
    "Python2Evidence",
    "RangeDeclaration",
    "ReleaseCycle",
    "ReleaseCycleError",
    "ReleaseCycleUpdate",
    "ReleaseStatus",
    "RuntimeDeclaration",
    "RuntimeScan",
    "RuntimeStatus",
    "VersionDeclaration",
    "admits_minor",
    "detect_runtimes",
    "find_python2_code",
    "minor_of",
    "parse_python_version",
    "parse_specifier",
    "pins_python2",
    "release_cycle_url",
    "target_versions",
    "update_release_cycle",
]
