"""`python -m pysteward.runner`: the checker alone, configured by `STEWARD_*` variables."""

from __future__ import annotations

import asyncio

from pysteward.runner.inprocess import run_alone
from pysteward.server.observability import configure_logging
from pysteward.server.settings import load_settings


def main() -> None:
    """Run until SIGTERM or SIGINT."""
    settings = load_settings()
    configure_logging(settings.log_format)
    asyncio.run(run_alone(settings))


if __name__ == "__main__":
    main()
