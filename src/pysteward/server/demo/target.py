"""The demo's target: a small aiohttp server on 127.0.0.1 whose endpoints misbehave on purpose.

    /ok      200 "ok"
    /slow    200 after SLOW_SECONDS, above the demo monitor's max latency: `degraded`
    /flaky   200 or 500 in a repeating pattern (FLAKY_PATTERN), so its monitor flips up and down
    /down    500 always
    /json    {"status": "ok"}
    /orders  200 until someone POSTs /break, then 500 until they POST /repair: an outage on demand
    /hooks   a notification receiver: POST stores a JSON body (Apprise `json://` channels), GET lists
             what arrived, newest last

It runs in a thread of its own with its own event loop, so it serves while uvicorn owns the main one.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Iterator

from aiohttp import web

__all__ = ["FLAKY_PATTERN", "HOOKS_KEPT", "SLOW_SECONDS", "DemoTarget", "demo_app"]

SLOW_SECONDS = 1.2
FLAKY_PATTERN = (200, 200, 200, 500, 500, 500)
"""Statuses of consecutive /flaky requests: at a 10 s interval, about 30 s up then 30 s down."""
HOOKS_KEPT = 200
"""The receiver keeps the latest notifications only."""


def demo_app(pattern: tuple[int, ...] = FLAKY_PATTERN, slow_seconds: float = SLOW_SECONDS) -> web.Application:
    """The target's routes; `pattern` and `slow_seconds` are parameters so tests need not wait."""
    flaky: Iterator[int] = itertools.cycle(pattern)

    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(slow_seconds)
        return web.Response(text="ok, eventually")

    async def flaky_endpoint(_request: web.Request) -> web.Response:
        status = next(flaky)
        return web.Response(status=status, text="ok" if status < 400 else "failing on purpose")

    async def down(_request: web.Request) -> web.Response:
        return web.Response(status=500, text="down on purpose")

    async def status_json(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    broken = asyncio.Event()
    received: list[object] = []

    async def orders(_request: web.Request) -> web.Response:
        if broken.is_set():
            return web.Response(status=500, text="broken on request (POST /repair to mend)")
        return web.Response(text="ok")

    async def break_orders(_request: web.Request) -> web.Response:
        broken.set()
        return web.Response(text="/orders now answers 500\n")

    async def repair_orders(_request: web.Request) -> web.Response:
        broken.clear()
        return web.Response(text="/orders answers 200 again\n")

    async def receive(request: web.Request) -> web.Response:
        try:
            body: object = await request.json()
        except ValueError:
            body = {"text": await request.text()}
        received.append(body)
        del received[:-HOOKS_KEPT]
        return web.json_response({"received": len(received)})

    async def inbox(_request: web.Request) -> web.Response:
        return web.json_response(received)

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/slow", slow)
    app.router.add_get("/flaky", flaky_endpoint)
    app.router.add_get("/down", down)
    app.router.add_get("/json", status_json)
    app.router.add_get("/orders", orders)
    app.router.add_post("/break", break_orders)
    app.router.add_post("/repair", repair_orders)
    app.router.add_post("/hooks", receive)
    app.router.add_get("/hooks", inbox)
    return app


class DemoTarget:
    """`demo_app` served on 127.0.0.1 from a background thread: `start()`, `port`, `stop()`."""

    host = "127.0.0.1"

    def __init__(self, app: web.Application | None = None, *, port: int = 0) -> None:
        self._app = app or demo_app()
        self._wanted = port
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="steward-demo-target", daemon=True
        )
        self.port = 0

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:41234."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> DemoTarget:
        """Listen (on the wanted port if free, else any free port) and serve in the background."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self.port = future.result(timeout=10)
        return self

    async def _listen(self) -> int:
        await self._runner.setup()
        try:
            site = web.TCPSite(self._runner, self.host, self._wanted)
            await site.start()
        except OSError:
            # The port an earlier run used is taken: any free port will do (monitors are told).
            site = web.TCPSite(self._runner, self.host, 0)
            await site.start()
        port: int = self._runner.addresses[0][1]
        return port

    def stop(self) -> None:
        """Stop serving and end the thread."""
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
