"""Where Steward keeps its data: `STEWARD_DATA_DIR`, else the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir"]


def data_dir() -> Path:
    """The directory for the advisory database and refreshed reference data (not created here)."""
    override = os.environ.get("STEWARD_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_data_path("steward", appauthor=False)
