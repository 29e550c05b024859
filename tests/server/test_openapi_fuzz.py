"""Schemathesis against the OpenAPI schema finds no server error (issue 4, §6 Robustness).

Every operation of `/api/v1/openapi.json` is called in-process (ASGI) as the admin, with a seeded
world (a service and a monitor of each kind) so generated path ids sometimes hit real objects. Each
answer must not be a 5xx; answers of `/services` and `/monitors` must also conform to the documented
responses (status codes, bodies, headers), and so must the tenancy routes (`/auth`, `/me`,
`/tokens`, `/users`, `/clients`). Heartbeat routes are checked for 5xx only until their routes
declare their error answers.

The run is bounded and repeatable: `derandomize=True` makes Hypothesis pick the same examples every
time, and at most `MAX_EXAMPLES` are tried per operation. It runs on both SQLite and PostgreSQL,
because each engine fails differently on hostile input (an int above 2**63 overflows SQLite; a NUL
character is refused by PostgreSQL).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance
from starlette.testclient import TestClient

from pysteward.server.app import create_app
from pysteward.server.settings import load_settings
from tests.server.conftest import SECRET_KEY, Personas
from tests.server.estate.world import add_monitor, add_service, http_monitor

MAX_EXAMPLES = 15
CONFORMING = (
    "/api/v1/services",
    "/api/v1/monitors",
    "/api/v1/auth/",
    "/api/v1/me",
    "/api/v1/tokens",
    "/api/v1/users",
    "/api/v1/clients",
)
"""Operations whose answers are also checked against the schema (status codes, bodies, headers)."""


@pytest.fixture
def seeded(client: TestClient, personas: Personas) -> Personas:
    """The personas plus one service with a monitor of each kind, so ids 1 and 2 exist."""
    service = add_service(client, personas, personas.acme, "shop", tags=["web"])
    add_monitor(client, personas, http_monitor(service["id"]))
    tcp = {
        "kind": "tcp",
        "service_id": service["id"],
        "name": "db",
        "config": {"host": "db.invalid", "port": 5432},
    }
    add_monitor(client, personas, tcp)
    heartbeat = {
        "kind": "heartbeat",
        "service_id": service["id"],
        "name": "backup",
        "config": {"period_seconds": 3600},
    }
    add_monitor(client, personas, heartbeat)
    return personas


def _document() -> dict[str, Any]:
    """The OpenAPI document of an application on a never-opened in-memory database: operations do not
    depend on data, so the schema can be read at collection time (schemathesis' fixture-based loader
    does not work with pytest 9)."""
    app = create_app(
        load_settings(database_url="sqlite://", secret_key=SECRET_KEY, runner=False), run_migrations=False
    )
    with warnings.catch_warnings():
        # heartbeat_api.py registers GET and POST on one function, so FastAPI warns of duplicate
        # operation ids (reported to its owner; drop this once fixed).
        warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
        document = app.openapi()
    app.state.engine.dispose()
    return document


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_operation_answers_a_server_error(
    case: schemathesis.Case[Any], app: FastAPI, seeded: Personas
) -> None:
    if case.path.startswith(CONFORMING):
        # positive_data_acceptance is left out: some rules span fields (a heartbeat's period_seconds or
        # cron, timeout_seconds <= interval_seconds, a PATCHed config valid for the monitor's kind)
        # and JSON Schema cannot say them, so schema-valid bodies are rightly refused with 422.
        # allow_header_conformance is left out: on a 405 Starlette's `Allow` names only the methods of
        # the first route matching the path (GET of `/services`, not POST), a framework limitation.
        excluded = [positive_data_acceptance, allow_header_conformance]
        case.call_and_validate(app=app, headers=seeded.headers("admin"), excluded_checks=excluded)
    else:
        case.call_and_validate(app=app, headers=seeded.headers("admin"), checks=[not_a_server_error])
