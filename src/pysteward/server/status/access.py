"""Who may read a client's status page: anyone (`public`), the holders of its secret link (`link`), or
nobody (`off`).

The link's secret is stored only as its SHA-256 (`Client.status_token_hash`, issued by
`tenancy.service.rotate_status_token`) and compared in constant time. An unknown client, a page that
is off, and a missing or wrong key all get the same 404, so the answer never tells whether a page
exists.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.tenancy.models import Client, StatusPageAccess

__all__ = ["NOT_FOUND", "open_page"]

NOT_FOUND = "no such status page"
"""The one answer for an unknown client, a page that is off, and a missing or wrong key."""
_NO_HASH = "0" * 64


def _key_matches(key: str | None, stored: str | None) -> bool:
    """Whether `key` is the secret behind `stored`, compared in constant time (the same work is done
    whether or not a secret is stored or offered)."""
    offered = hashlib.sha256((key or "").encode()).hexdigest()
    same = hmac.compare_digest(offered, stored or _NO_HASH)
    return same and key is not None and stored is not None


def open_page(session: Session, *, client_id: int, key: str | None) -> Client:
    """The client whose page the caller may read: a public page, or a link page with its key;
    otherwise `ApiError(404, NOT_FOUND)`."""
    client = session.get(Client, client_id)
    matches = _key_matches(key, client.status_token_hash if client is not None else None)
    if client is not None and (
        client.status_page is StatusPageAccess.PUBLIC
        or (client.status_page is StatusPageAccess.LINK and matches)
    ):
        return client
    raise ApiError(404, NOT_FOUND)
