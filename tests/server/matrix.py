"""The vocabulary of the authorization matrix (`test_authorization_matrix.py`), shared with the
per-domain tables: a `tests/server/<domain>/matrix.py` defines `RULES` (route → `Rule`) and
`FACTORIES` (object kind → a function making one for a role and side), and the matrix merges them.
"""

from __future__ import annotations

import enum
import importlib
import itertools
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

import tests.server
from tests.server.conftest import Personas

__all__ = [
    "OK",
    "Access",
    "Body",
    "Factory",
    "Rule",
    "Target",
    "domain_tables",
    "expected",
    "fill_path",
    "is_page",
    "next_number",
]


class Access(enum.Enum):
    """Who may call a route; `expected` below turns it into a status per role and side."""

    PUBLIC = "anyone, signed in or not"
    AUTHENTICATED = "any signed-in caller; no object involved"
    CREATE = "provider staff create (collection route)"
    ADMIN = "provider admins only (collection route)"
    READ = "whoever sees the object's client"
    WRITE = "provider staff, on an object they see"
    ADMIN_OBJECT = "provider admins, on an object they see"
    SELF = "the object's owner, or an admin"


OK = "2xx"


_MACHINE_PATHS = ("/api/", "/ping/", "/metrics")


def is_page(path: str) -> bool:
    """A console or status page (HTML, browser session) rather than the JSON API or a machine path.

    Pages are called with a signed-in session cookie and the session's CSRF token (never a bearer
    token); a form POST that works answers 303 (redirect after POST), which counts as OK; an
    anonymous caller is redirected to the login page (303) where the API says 401.
    """
    return not path.startswith(_MACHINE_PATHS)


def expected(access: Access, role: str, side: str, *, page: bool = False) -> str | int:
    """The answer `role` gets for an `own`/`foreign` object under `access` (`page`: see `is_page`)."""
    if access is Access.PUBLIC:
        return OK
    if role == "anonymous":
        return 303 if page else 401
    viewer, admin = role == "acme_viewer", role == "admin"
    hidden = viewer and side == "foreign"  # another client's object: 404, exactly as a missing one
    rules: dict[Access, str | int] = {
        Access.AUTHENTICATED: OK,
        Access.CREATE: 403 if viewer else OK,
        Access.ADMIN: OK if admin else 403,
        Access.READ: 404 if hidden else OK,
        Access.WRITE: 404 if hidden else (403 if viewer else OK),
        Access.ADMIN_OBJECT: 404 if hidden else (OK if admin else 403),
        Access.SELF: OK if side == "own" or admin else 404,
    }
    return rules[access]


@dataclass(frozen=True, slots=True)
class Target:
    """What one request of the matrix is about: the object's id (for path placeholders), the client
    of the side, a unique number for names, and the caller's credentials (acme_viewer's when anonymous)."""

    object_id: int | str | dict[str, int | str] | None
    """The id for every placeholder of the path, or one value per placeholder name."""
    client_id: int
    n: int
    email: str
    password: str


Body = Callable[[Target], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Rule:
    """The access rule of one route, the kind of object its path names, and its request body."""

    access: Access
    kind: str | None = None
    body: Body | None = None
    """The JSON body of an API call, or the form fields of a page's POST (the CSRF token is added)."""


Factory = Callable[[Session, Personas, str, str], int | str | dict[str, int | str]]
_numbers = itertools.count(1)


def fill_path(template: str, ids: int | str | dict[str, int | str] | None) -> str:
    """`template` with each `{placeholder}` replaced: by `ids[name]` for a dict, else by `ids`."""

    def value(match: re.Match[str]) -> str:
        return str(ids[match.group(1)] if isinstance(ids, dict) else ids)

    return re.sub(r"\{([^}]+)\}", value, template)


def next_number() -> int:
    """A number no other object of the matrix has, for unique names."""
    return next(_numbers)


def domain_tables() -> Iterator[tuple[dict[tuple[str, str], Rule], dict[str, Factory]]]:
    """`(RULES, FACTORIES)` of every `tests/server/<domain>/matrix.py`."""
    for info in pkgutil.iter_modules(tests.server.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.server.{info.name}.matrix")
        except ModuleNotFoundError as e:
            if e.name != f"tests.server.{info.name}.matrix":
                raise
            continue
        rules: dict[tuple[str, str], Rule] = module.RULES
        factories: dict[str, Factory] = module.FACTORIES
        yield rules, factories
