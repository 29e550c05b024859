"""HTTP, TCP and TLS checks against real servers on 127.0.0.1 (allowed by the test settings)."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from pysteward.server.monitors.checks import Checker, HttpConfig, status_matches
from pysteward.server.monitors.models import MonitorKind, State

LOCAL = (ipaddress.ip_network("127.0.0.1/32"),)


async def _hello(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "db": {"up": True}})


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/hello")


async def _loop(request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(0.3)
    return web.Response(text="late")


async def _down(request: web.Request) -> web.Response:
    return web.Response(status=503, text="maintenance")


async def _to_private(request: web.Request) -> web.Response:
    return web.Response(status=302, headers={"Location": "http://10.0.0.1/"})


async def _echo(request: web.Request) -> web.Response:
    return web.Response(text=f"{request.method} {request.headers.get('X-Token')} {await request.text()}")


@asynccontextmanager
async def target(ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/hello", _hello)
    app.router.add_get("/moved", _redirect)
    app.router.add_get("/loop", _loop)
    app.router.add_get("/slow", _slow)
    app.router.add_route("*", "/echo", _echo)
    app.router.add_get("/down", _down)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def check(
    config: dict[str, Any],
    *,
    allowed: tuple[Any, ...] = LOCAL,
    timeout: float = 5.0,
    tls: ssl.SSLContext | None = None,
) -> Any:
    async def scenario() -> Any:
        async with target(tls) as base, Checker(allowed) as checker:
            url = config["url"].replace("BASE", base)
            return await checker.check(MonitorKind.HTTP, {**config, "url": url}, timeout)

    return asyncio.run(scenario())


@pytest.mark.parametrize(
    ("config", "state", "message"),
    [
        ({"url": "BASE/hello"}, State.UP, "HTTP 200"),
        ({"url": "BASE/down"}, State.DOWN, "HTTP 503, expected 2xx, 3xx"),
        ({"url": "BASE/down", "expected_status": [503]}, State.UP, "HTTP 503"),
        ({"url": "BASE/hello", "body_contains": "nope"}, State.DOWN, "body does not contain 'nope'"),
        ({"url": "BASE/hello", "body_regex": r"\"status\": *\"ok\""}, State.UP, "HTTP 200"),
        ({"url": "BASE/hello", "body_regex": "^x"}, State.DOWN, "body does not match /^x/"),
        (
            {"url": "BASE/hello", "body_regex": "("},
            State.DOWN,
            "body_regex: missing ), unterminated subpattern",
        ),
        ({"url": "BASE/hello", "json_path": "$.db.up", "json_equals": True}, State.UP, "HTTP 200"),
        (
            {"url": "BASE/hello", "json_path": "$.status", "json_equals": "bad"},
            State.DOWN,
            '$.status is "ok", expected "bad"',
        ),
        ({"url": "BASE/hello", "json_path": "$.missing"}, State.DOWN, "$.missing not found in the body"),
        ({"url": "BASE/hello", "json_path": "$[["}, State.DOWN, "json_path: "),
        (
            {"url": "BASE/down", "expected_status": ["5xx"], "json_path": "$.a"},
            State.DOWN,
            "body is not JSON",
        ),
        ({"url": "BASE/moved", "body_contains": "ok"}, State.UP, "HTTP 200"),
        ({"url": "BASE/moved", "follow_redirects": False}, State.UP, "HTTP 302"),
        ({"url": "BASE/loop"}, State.DOWN, "more than 10 redirects"),
        ({"url": "BASE/slow", "max_latency_ms": 1}, State.DEGRADED, "over the 1 ms limit"),
        ({"url": "http://127.0.0.1:9/"}, State.DOWN, "request failed: "),
    ],
)
def test_http_expectations(config: dict[str, Any], state: State, message: str) -> None:
    outcome = check(config)
    assert outcome.state is state
    assert message in outcome.message


def test_method_headers_and_body_are_sent() -> None:
    outcome = check(
        {
            "url": "BASE/echo",
            "method": "post",
            "headers": {"X-Token": "t"},
            "body": "hi",
            "body_contains": "POST t hi",
        }
    )
    assert outcome.state is State.UP


def test_a_check_slower_than_its_timeout_is_down() -> None:
    outcome = check({"url": "BASE/slow"}, timeout=0.05)
    assert (outcome.state, outcome.message) == (State.DOWN, "no answer within 0.05 s")


def test_a_private_target_is_refused_unless_allowed() -> None:
    outcome = check({"url": "BASE/hello"}, allowed=())
    assert outcome.state is State.DOWN
    assert "127.0.0.1 resolves to 127.0.0.1, a private or reserved address" in outcome.message


def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    outcome = check({"url": "http://localhost:9/"}, allowed=())
    assert outcome.state is State.DOWN
    assert "localhost resolves to" in outcome.message


def test_a_redirect_to_a_private_address_is_refused() -> None:
    async def scenario() -> Any:
        async with Checker(LOCAL) as checker:
            app = web.Application()
            app.router.add_get("/", _to_private)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            try:
                return await checker.check(MonitorKind.HTTP, {"url": f"http://127.0.0.1:{port}/"}, 5)
            finally:
                await runner.cleanup()

    outcome = asyncio.run(scenario())
    assert (outcome.state, outcome.message[:30]) == (State.DOWN, "10.0.0.1 resolves to 10.0.0.1,")


def _certificate(tmp_path: Path, days: int) -> tuple[ssl.SSLContext, str]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            str(days),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, cert.read_text()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, str]:
    return _certificate(tmp_path_factory.mktemp("tls"), 10)


def test_a_trusted_certificate_reports_its_days_left(tls_server: tuple[ssl.SSLContext, str]) -> None:
    context, pem = tls_server
    outcome = check({"url": "BASE/hello", "ca_pem": pem}, tls=context)
    assert outcome.state is State.UP
    assert 9 < outcome.details["tls_days_left"] <= 10


def test_a_certificate_expiring_sooner_than_the_threshold_is_degraded(
    tls_server: tuple[ssl.SSLContext, str],
) -> None:
    context, pem = tls_server
    outcome = check({"url": "BASE/hello", "ca_pem": pem, "tls_expiry_days": 30}, tls=context)
    assert outcome.state is State.DEGRADED
    assert outcome.message.startswith("TLS certificate expires in ")
    assert outcome.message.endswith(" days (limit 30)")


def test_an_untrusted_certificate_is_down(tls_server: tuple[ssl.SSLContext, str]) -> None:
    context, _ = tls_server
    outcome = check({"url": "BASE/hello"}, tls=context)
    assert outcome.state is State.DOWN
    assert outcome.message.startswith("TLS certificate rejected: ")


def test_an_unusable_ca_pem_is_down() -> None:
    outcome = check({"url": "BASE/hello", "ca_pem": "not a certificate"})
    assert outcome.state is State.DOWN
    assert outcome.message.startswith("ca_pem: not a usable certificate")


def tcp(config: dict[str, Any], allowed: tuple[Any, ...] = LOCAL, timeout: float = 5.0) -> Any:
    async def scenario() -> Any:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, Checker(allowed) as checker:
            return await checker.check(MonitorKind.TCP, {"port": port, **config}, timeout)

    return asyncio.run(scenario())


def test_tcp_connects_to_a_listening_port() -> None:
    outcome = tcp({"host": "127.0.0.1"})
    assert outcome.state is State.UP
    assert outcome.message.startswith("connected to 127.0.0.1:")


def test_tcp_to_a_closed_port_is_down() -> None:
    outcome = tcp({"host": "127.0.0.1", "port": 9})
    assert (outcome.state, outcome.message[:30]) == (State.DOWN, "cannot connect to 127.0.0.1:9:")


def test_tcp_refuses_private_targets() -> None:
    assert tcp({"host": "127.0.0.1"}, allowed=()).message.startswith("127.0.0.1 resolves to 127.0.0.1")


def test_tcp_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(*args: object, **kwargs: object) -> None:
        await asyncio.sleep(10)

    monkeypatch.setattr(asyncio, "open_connection", never)
    outcome = tcp({"host": "127.0.0.1"}, timeout=0.01)
    assert (outcome.state, outcome.message) == (State.DOWN, "no connection within 0.01 s")


def test_heartbeats_are_not_checked_by_the_runner() -> None:
    async def scenario() -> None:
        async with Checker(LOCAL) as checker:
            await checker.check(MonitorKind.HEARTBEAT, {}, 1)

    with pytest.raises(ValueError, match="heartbeat monitors are not checked"):
        asyncio.run(scenario())


def test_missing_config_keys_take_their_defaults() -> None:
    cfg = HttpConfig.from_config(
        {"url": "http://x.invalid/", "method": None, "expected_status": [], "other": 1}
    )
    assert (cfg.method, cfg.expected_status, cfg.follow_redirects) == ("GET", ("2xx", "3xx"), True)
    assert status_matches(204, ["200", "2xx"]) and not status_matches(404, [200, "5xx", "abc"])
