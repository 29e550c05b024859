"""Inventory: every way a Python project declares or installs its dependencies.

Each format is one `Parser` (see `interface`); `PARSERS` lists the built-ins in the order discovery
asks them, most specific file names first.
"""

from __future__ import annotations

from pysteward.engine.inventory.conda import CondaEnvironmentParser
from pysteward.engine.inventory.discover import ProjectFiles, discover, parser_for_file
from pysteward.engine.inventory.installed import CondaMetaParser, InstalledMetadataParser, read_environment
from pysteward.engine.inventory.interface import InventoryError, Parser
from pysteward.engine.inventory.pdm_lock import PdmLockParser
from pysteward.engine.inventory.pipfile_lock import PipfileLockParser
from pysteward.engine.inventory.poetry_lock import PoetryLockParser
from pysteward.engine.inventory.pylock import PylockParser
from pysteward.engine.inventory.pyproject import PyprojectParser
from pysteward.engine.inventory.requirements import RequirementsParser
from pysteward.engine.inventory.setup_cfg import SetupCfgParser
from pysteward.engine.inventory.setup_py import SetupPyParser
from pysteward.engine.inventory.uv_lock import UvLockParser

__all__ = [
    "PARSERS",
    "REQUIREMENTS",
    "CondaEnvironmentParser",
    "CondaMetaParser",
    "InstalledMetadataParser",
    "InventoryError",
    "Parser",
    "PdmLockParser",
    "PipfileLockParser",
    "PoetryLockParser",
    "ProjectFiles",
    "PylockParser",
    "PyprojectParser",
    "RequirementsParser",
    "SetupCfgParser",
    "SetupPyParser",
    "UvLockParser",
    "discover",
    "parser_for_file",
    "read_environment",
]

REQUIREMENTS = RequirementsParser()

PARSERS: tuple[Parser, ...] = (
    UvLockParser(),
    PoetryLockParser(),
    PipfileLockParser(),
    PdmLockParser(),
    PylockParser(),
    PyprojectParser(),
    SetupCfgParser(),
    SetupPyParser(),
    CondaEnvironmentParser(),
    REQUIREMENTS,
)
"""Built-in parsers that discovery hands files to, most specific names first."""
