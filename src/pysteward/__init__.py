"""Steward: run Python systems under a service agreement.

The engine (`pysteward.engine`) assesses a codebase offline; the CLI (`steward`) wires it up.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
