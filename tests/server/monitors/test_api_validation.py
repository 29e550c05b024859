"""Creating a monitor: one invalid body per failure mode, each answered 422 with a message naming the
field; and targets in private ranges refused unless allowed."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.server.conftest import Personas
from tests.server.estate.world import API, add_monitor, add_service, http_monitor

HTTP = {"url": "https://example.invalid/"}


def _http(**config: Any) -> dict[str, Any]:
    return {"kind": "http", "config": HTTP | config}


def _heartbeat(**config: Any) -> dict[str, Any]:
    return {"kind": "heartbeat", "config": config}


CASES: list[tuple[dict[str, Any], str]] = [
    ({"kind": "smtp", "config": {}}, "body.kind: must be one of heartbeat, http, tcp"),
    ({"config": HTTP}, "body.kind: field required"),
    (_http() | {"name": ""}, "body.name: string should have at least 1 character"),
    (_http() | {"interval_seconds": 9}, "body.interval_seconds: input should be greater than or equal to 10"),
    (_http() | {"timeout_seconds": 0}, "body.timeout_seconds: input should be greater than 0"),
    (_http() | {"timeout_seconds": 61}, "body.timeout_seconds: must not exceed interval_seconds (60)"),
    (
        _http() | {"failures_before_down": 0},
        "body.failures_before_down: input should be greater than or equal to 1",
    ),
    (
        _http() | {"successes_before_up": 0},
        "body.successes_before_up: input should be greater than or equal to 1",
    ),
    (
        _http() | {"maintenance": "sometimes"},
        "body.maintenance: input should be a valid boolean",
    ),
    (_http() | {"colour": "red"}, "body.colour: extra inputs are not permitted"),
    ({"kind": "http"}, "body.config: field required"),
    (_http(url="ftp://example.invalid/"), "body.config.url: must be an http:// or https:// URL"),
    (_http(url="https:///path"), "body.config.url: must name a host"),
    (
        _http(url="http://example.invalid:99999/"),
        "body.config.url: is not a valid URL (Port out of range 0-65535)",
    ),
    (
        _http(method="BREW"),
        "body.config.method: input should be 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE' or 'OPTIONS'",
    ),
    (
        _http(headers={"Bad Name": "x"}),
        "body.config.headers.Bad Name.[key]: 'Bad Name' is not a valid header name",
    ),
    (
        _http(headers={"X-A": "a\r\nX-B: b"}),
        "body.config.headers.X-A: header values cannot contain line breaks",
    ),
    (_http(expected_status=[99]), "body.config.expected_status.0: 99 is not an HTTP status code (100-599)"),
    (
        _http(expected_status=["6xx"]),
        "body.config.expected_status.0: '6xx' is neither a status code nor a class such as '2xx'",
    ),
    (
        _http(expected_status=[]),
        "body.config.expected_status: list should have at least 1 item after validation, not 0",
    ),
    (
        _http(body_regex="(unclosed"),
        "body.config.body_regex: is not a valid regular expression "
        "(missing ), unterminated subpattern at position 0)",
    ),
    (
        _http(json_path="$["),
        "body.config.json_path: is not a valid JSONPath expression (Parse error near the end of string!)",
    ),
    (_http(json_equals=1), "body.config.json_equals: needs json_path: it says where in the answer to look"),
    (_http(max_latency_ms=0), "body.config.max_latency_ms: input should be greater than 0"),
    (_http(tls_expiry_days=0), "body.config.tls_expiry_days: input should be greater than or equal to 1"),
    (
        _http(follow_redirects="maybe"),
        "body.config.follow_redirects: input should be a valid boolean",
    ),
    (_http(proxy="x"), "body.config.proxy: extra inputs are not permitted"),
    (
        {"kind": "tcp", "config": {"host": "db.invalid", "port": 0}},
        "body.config.port: input should be greater than or equal to 1",
    ),
    (
        {"kind": "tcp", "config": {"host": "db.invalid", "port": 65536}},
        "body.config.port: input should be less than or equal to 65535",
    ),
    (
        {"kind": "tcp", "config": {"host": "a/b", "port": 1}},
        "body.config.host: 'a/b' is not a host name or IP address",
    ),
    (_heartbeat(), "body.config.cron: give period_seconds or cron"),
    (
        _heartbeat(period_seconds=60, cron="* * * * *"),
        "body.config.cron: give period_seconds or cron, not both",
    ),
    (_heartbeat(period_seconds=9), "body.config.period_seconds: input should be greater than or equal to 10"),
    (_heartbeat(cron="61 * * * *"), "body.config.cron: is not a valid cron expression (Bad minute)"),
    (_heartbeat(cron="* * *"), "body.config.cron: is not a valid cron expression (Wrong number of fields)"),
    (
        _heartbeat(cron="* * * * *", timezone="Mars/Olympus"),
        "body.config.timezone: 'Mars/Olympus' is not a time zone name such as 'Europe/Berlin'",
    ),
    (
        _heartbeat(period_seconds=60, grace_seconds=-1),
        "body.config.grace_seconds: input should be greater than or equal to 0",
    ),
]


@pytest.mark.parametrize(
    ("body", "message"), CASES, ids=[message.split(":")[0] + f"-{i}" for i, (_, message) in enumerate(CASES)]
)
def test_an_invalid_monitor_answers_422_naming_the_field(
    client: TestClient, personas: Personas, body: dict[str, Any], message: str
) -> None:
    service = add_service(client, personas, personas.acme, "shop")
    full = {"service_id": service["id"], "name": "m"} | body
    response = client.post(f"{API}/monitors", json=full, headers=personas.headers("admin"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == message


def test_valid_expectations_are_kept_and_normalised(client: TestClient, personas: Personas) -> None:
    service = add_service(client, personas, personas.acme, "shop")
    config = {
        "url": "http://[2001:db8::1]:8080/health",
        "method": "POST",
        "headers": {"Authorization": "Bearer x"},
        "body": "{}",
        "expected_status": [200, "204", "3XX"],
        "body_contains": "ok",
        "body_regex": "^ok$",
        "json_path": "$.status",
        "json_equals": {"nested": [1, None]},
        "max_latency_ms": 250,
        "follow_redirects": False,
        "tls_expiry_days": 14,
    }
    body = http_monitor(service["id"], config=config)
    created = client.post(f"{API}/monitors", json=body, headers=personas.headers("admin"))
    # 2001:db8::/32 is documentation space, not global: refused like any private address.
    assert created.status_code == 422
    assert "2001:db8::1 is a private or reserved address" in created.json()["error"]["message"]
    config["url"] = "https://status.example.invalid/health"
    created = client.post(
        f"{API}/monitors", json=http_monitor(service["id"], config=config), headers=personas.headers("admin")
    )
    assert created.status_code == 201, created.text
    assert created.json()["config"]["expected_status"] == [200, 204, "3xx"]
    assert created.json()["config"]["json_equals"] == {"nested": [1, None]}
    plain = http_monitor(
        service["id"], config={"url": "https://example.invalid/", "body_regex": None, "json_path": None}
    )
    assert client.post(f"{API}/monitors", json=plain, headers=personas.headers("admin")).status_code == 201


@pytest.mark.parametrize(
    ("kind", "config", "field"),
    [
        ("http", {"url": "http://10.1.2.3/"}, "body.config.url"),
        ("http", {"url": "https://[::1]:8443/"}, "body.config.url"),
        ("http", {"url": "http://169.254.169.254/latest/meta-data/"}, "body.config.url"),
        ("tcp", {"host": "192.168.1.10", "port": 22}, "body.config.host"),
        ("tcp", {"host": "[::ffff:10.0.0.1]", "port": 22}, "body.config.host"),
    ],
)
def test_a_private_target_is_refused(
    client: TestClient, personas: Personas, kind: str, config: dict[str, Any], field: str
) -> None:
    service = add_service(client, personas, personas.acme, "shop")
    body = {"kind": kind, "service_id": service["id"], "name": "m", "config": config}
    response = client.post(f"{API}/monitors", json=body, headers=personas.headers("admin"))
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith(f"{field}: ")
    assert "private or reserved address" in message
    assert "STEWARD_ALLOW_PRIVATE_TARGETS" in message


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        ("http", {"url": "http://127.0.0.1:8080/"}),  # the test settings allow 127.0.0.1/32
        ("tcp", {"host": "127.0.0.1", "port": 5432}),
        ("http", {"url": "https://internal.example.invalid/"}),  # names are checked when resolved
        ("tcp", {"host": "8.8.8.8", "port": 53}),
    ],
)
def test_an_allowed_or_public_target_is_accepted(
    client: TestClient, personas: Personas, kind: str, config: dict[str, Any]
) -> None:
    service = add_service(client, personas, personas.acme, "shop")
    add_monitor(client, personas, {"kind": kind, "service_id": service["id"], "name": "m", "config": config})


def test_changing_a_config_to_a_private_target_is_refused(client: TestClient, personas: Personas) -> None:
    service = add_service(client, personas, personas.acme, "shop")
    mine = add_monitor(client, personas, http_monitor(service["id"]))
    response = client.patch(
        f"{API}/monitors/{mine['id']}",
        json={"config": {"url": "http://10.0.0.1/"}},
        headers=personas.headers("admin"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("body.config.url: 10.0.0.1 is a private")
