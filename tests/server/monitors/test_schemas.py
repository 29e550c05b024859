"""Direct tests of the monitor request schemas: defaults, and the message of each validation rule."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from pysteward.server.estate.schemas import refuse_nul
from pysteward.server.monitors.schemas import (
    HeartbeatConfig,
    HttpConfig,
    HttpMonitorCreate,
    MonitorCreate,
    MonitorUpdate,
    TcpConfig,
)

URL = "https://example.invalid/"


def _message(model: type[BaseModel], data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    first = caught.value.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {str(first['msg']).removeprefix('Value error, ')}"


def test_an_http_config_has_documented_defaults() -> None:
    config = HttpConfig.model_validate({"url": URL})
    assert config.method == "GET"
    assert config.headers == {}
    assert config.expected_status == ["2xx", "3xx"]
    assert config.follow_redirects is True
    assert (config.body, config.json_path, config.max_latency_ms, config.tls_expiry_days) == (None,) * 4


def test_a_heartbeat_config_has_documented_defaults() -> None:
    config = HeartbeatConfig.model_validate({"period_seconds": 60})
    assert (config.cron, config.timezone, config.grace_seconds) == (None, "UTC", 300)


def test_a_scheduled_monitor_has_documented_defaults() -> None:
    monitor = HttpMonitorCreate.model_validate(
        {"kind": "http", "name": "x", "service_id": 1, "config": {"url": URL}}
    )
    assert (monitor.interval_seconds, monitor.timeout_seconds) == (60, 10.0)
    assert (monitor.failures_before_down, monitor.successes_before_up) == (1, 1)
    assert (monitor.maintenance, monitor.enabled) == (False, True)


def test_status_codes_normalise_digits_and_classes() -> None:
    config = HttpConfig.model_validate({"url": URL, "expected_status": ["204", 200, "2XX"]})
    assert config.expected_status == [204, 200, "2xx"]


def test_the_monitor_union_picks_the_model_of_the_kind() -> None:
    body = {"kind": "tcp", "name": "db", "service_id": 1, "config": {"host": "db.invalid", "port": 5432}}
    monitor = TypeAdapter(MonitorCreate).validate_python(body)
    assert isinstance(monitor.config, TcpConfig)


HTTP_CASES: list[tuple[dict[str, Any], str]] = [
    ({"url": "ftp://example.invalid/"}, "url: must be an http:// or https:// URL"),
    ({"url": "https:///path"}, "url: must name a host"),
    ({"url": "http://example.invalid:99999/"}, "url: is not a valid URL (Port out of range 0-65535)"),
    ({"url": URL, "expected_status": [99]}, "expected_status.0: 99 is not an HTTP status code (100-599)"),
    (
        {"url": URL, "expected_status": ["6xx"]},
        "expected_status.0: '6xx' is neither a status code nor a class such as '2xx'",
    ),
    (
        {"url": URL, "headers": {"Bad Name": "x"}},
        "headers.Bad Name.[key]: 'Bad Name' is not a valid header name",
    ),
    ({"url": URL, "headers": {"X-A": "a\nb"}}, "headers.X-A: header values cannot contain line breaks"),
    (
        {"url": URL, "body_regex": "("},
        "body_regex: is not a valid regular expression (missing ), unterminated subpattern at position 0)",
    ),
    ({"url": URL, "json_equals": 1}, "json_equals: needs json_path: it says where in the answer to look"),
    ({"url": URL, "follow_redirects": 1}, "follow_redirects: Input should be a valid boolean"),
    ({"url": URL, "body": "a\x00"}, "body: must not contain NUL characters"),
]


@pytest.mark.parametrize(("data", "message"), HTTP_CASES)
def test_an_invalid_http_config_names_its_field(data: dict[str, Any], message: str) -> None:
    assert _message(HttpConfig, data) == message


def test_an_invalid_json_path_names_its_field() -> None:
    assert _message(HttpConfig, {"url": URL, "json_path": "$[["}).startswith(
        "json_path: is not a valid JSONPath"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"host": "bad host", "port": 1}, "host: 'bad host' is not a host name or IP address"),
        ({"host": "db.invalid", "port": 0}, "port: Input should be greater than or equal to 1"),
    ],
)
def test_an_invalid_tcp_config_names_its_field(data: dict[str, Any], message: str) -> None:
    assert _message(TcpConfig, data) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "cron: give period_seconds or cron"),
        ({"period_seconds": 60, "cron": "* * * * *"}, "cron: give period_seconds or cron, not both"),
        ({"cron": "61 * * * *"}, "cron: is not a valid cron expression (Bad minute)"),
        (
            {"period_seconds": 60, "timezone": "Mars/Olympus"},
            "timezone: 'Mars/Olympus' is not a time zone name such as 'Europe/Berlin'",
        ),
    ],
)
def test_an_invalid_heartbeat_config_names_its_field(data: dict[str, Any], message: str) -> None:
    assert _message(HeartbeatConfig, data) == message


def test_a_timeout_above_the_interval_is_refused() -> None:
    data = {
        "kind": "http",
        "name": "x",
        "service_id": 1,
        "interval_seconds": 10,
        "timeout_seconds": 11,
        "config": {"url": URL},
    }
    assert _message(HttpMonitorCreate, data) == "timeout_seconds: must not exceed interval_seconds (10)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"enabled": 1}, "enabled: Input should be a valid boolean"),
        ({"service_id": 2**31}, "service_id: Input should be less than or equal to 2147483647"),
        ({"config": {"k": ["\x00"]}}, "config: must not contain NUL characters"),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_an_invalid_update_names_its_field(data: dict[str, Any], message: str) -> None:
    assert _message(MonitorUpdate, data) == message


@pytest.mark.parametrize("value", ["a\x00", ["a", "\x00"], {"\x00": 1}, {"k": ("\x00",)}])
def test_refuse_nul_finds_nul_anywhere(value: Any) -> None:
    with pytest.raises(ValueError, match="must not contain NUL characters"):
        refuse_nul(value)


def test_refuse_nul_returns_clean_values_unchanged() -> None:
    value = {"k": ["a", 1, None, {"b": "c"}]}
    assert refuse_nul(value) is value
