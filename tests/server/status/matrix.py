"""Authorization matrix rows for status pages and their settings (see tests/server/matrix.py).

A public status page answers everyone alike, signed in or not (the key, not a session, opens a page
behind a link: tests/server/status/test_pages.py); rotating the link is a change to the client.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pysteward.server.tenancy import service
from pysteward.server.tenancy.models import StatusPageAccess
from tests.server.conftest import Personas
from tests.server.matrix import Access, Factory, Rule, next_number


def _public_page(session: Session, world: Personas, role: str, side: str) -> int:
    client = service.create_client(session, name=f"Status client {next_number()}")
    return service.update_client(session, client=client, status_page=StatusPageAccess.PUBLIC).id


FACTORIES: dict[str, Factory] = {"public_status_client": _public_page}

RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/status/{client_id}"): Rule(Access.PUBLIC, kind="public_status_client"),
    ("GET", "/status/{client_id}.json"): Rule(Access.PUBLIC, kind="public_status_client"),
    ("POST", "/api/v1/clients/{client_id}/status-page/rotate"): Rule(Access.WRITE, kind="client"),
}
