"""`/metrics`, request ids and JSON log lines."""

from __future__ import annotations

import io
import json
import logging

from fastapi.testclient import TestClient

from pysteward.server.observability import configure_logging


def test_metrics_are_served_per_app_with_request_latency_by_route(client: TestClient) -> None:
    client.get("/ping/unknown-token")
    text = client.get("/metrics").text
    assert (
        'steward_http_request_duration_seconds_count{method="GET",route="/ping/{token}",status="404"} 1.0'
        in text
    )
    assert "steward_scheduling_lag_seconds_bucket" in text


def test_requests_get_an_id_and_one_json_log_line(client: TestClient) -> None:
    out = io.StringIO()
    handler = configure_logging("json", stream=out)
    try:
        given = client.get("/ping/nobody", headers={"X-Request-ID": "abc-123"})
        made = client.get("/nowhere", headers={"X-Request-ID": "bad id with spaces"})
    finally:
        logging.getLogger("pysteward").removeHandler(handler)
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    first = next(line for line in lines if line.get("request_id") == "abc-123")
    assert (first["route"], first["status"], first["level"]) == ("/ping/{token}", 404, "info")
    assert {"time", "message", "duration_ms"} <= first.keys()
    assert any(line.get("route") == "<unmatched>" for line in lines)


def test_configuring_logging_twice_does_not_duplicate_lines() -> None:
    out = io.StringIO()
    configure_logging("text", stream=io.StringIO())
    handler = configure_logging("text", stream=out)
    logging.getLogger("pysteward.test").info("hello")
    logging.getLogger("pysteward").removeHandler(handler)
    assert out.getvalue() == "INFO pysteward.test: hello\n"
