"""Static analysis of the project's own code (Bandit), never of its dependencies.

OperationalError (pysteward.errors)
└── SastError                the analyser could not run at all
    └── BanditError          Bandit is missing or broken

Importing this package does not import Bandit; `run_bandit` does, when it runs.
"""

from pysteward.engine.sast.bandit import BanditError, run_bandit
from pysteward.engine.sast.interface import SastError, SastResult, vendored_reason

__all__ = ["BanditError", "SastError", "SastResult", "run_bandit", "vendored_reason"]
