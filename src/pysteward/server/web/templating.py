"""One Jinja2 environment for every page: the console, the status pages and the reports.

Filters (all take UTC datetimes or plain numbers and return text):

    when      2026-12-06 19:31 UTC
    day       2026-12-06
    duration  seconds → "2 h 05 min", "45 s"
    percent   99.9512 → "99.951 %" (three decimals unless told)
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

__all__ = ["STATIC", "TEMPLATE_DIRS", "day", "duration", "environment", "page", "percent", "when"]

_HERE = Path(__file__).parent
STATIC = _HERE / "static"
TEMPLATE_DIRS = (_HERE / "templates",)
"""Where templates are looked up, in order; a domain's `templates/` folder is added to this list."""


def when(value: datetime | None) -> str:
    """A UTC time to the minute, or a dash for none."""
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def day(value: datetime | None) -> str:
    """The date of a UTC time, or a dash for none."""
    return "—" if value is None else value.strftime("%Y-%m-%d")


def duration(seconds: float | None) -> str:
    """A span in the two largest units that matter: "3 d 4 h", "2 h 05 min", "7 min 30 s", "45 s"."""
    if seconds is None:
        return "—"
    sign = "−" if seconds < 0 else ""
    total = int(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    if minutes:
        return f"{sign}{minutes} min {secs:02d} s"
    return f"{sign}{secs} s"


def percent(value: float | None, decimals: int = 3) -> str:
    """A percentage with `decimals` decimals, or a dash for none."""
    return "—" if value is None else f"{value:.{decimals}f} %"


def environment(*extra: Path) -> jinja2.Environment:
    """The shared environment, looking in `extra` folders before the console's own templates."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*extra, *TEMPLATE_DIRS]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=when, day=day, duration=duration, percent=percent)
    return env


_templates = Jinja2Templates(env=environment())


def page(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    """The HTML page `name` rendered with `context` (the request is added as `request`)."""
    return _templates.TemplateResponse(request, name, context, status_code=status_code)
