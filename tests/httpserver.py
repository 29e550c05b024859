"""A tiny HTTP server on 127.0.0.1 serving fixture files, for testing real download code.

Supports ETag / If-None-Match so conditional requests can be tested, and counts requests.
Optional features, all off by default: per-path status sequences (`status_sequences`, consumed one
per request before the file is served), extra response headers per path or for every path
(`headers`, `default_headers`; a `Last-Modified` there also answers `If-Modified-Since` with 304),
ETags switched off (`use_etag`), a delay per request (`delay`) and the most requests seen in
flight at once (`max_in_flight`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FixtureServer:
    """Files keyed by URL path; `requests` records (method, path, headers) of every request."""

    files: dict[str, bytes] = field(default_factory=dict)
    status_overrides: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    base_url: str = ""
    status_sequences: dict[str, list[int]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    default_headers: dict[str, str] = field(default_factory=dict)
    use_etag: bool = True
    delay: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path

    def paths(self) -> list[str]:
        """The paths requested, in order."""
        return [path for _, path, _ in self.requests]


@contextmanager
def serve(files: dict[str, bytes] | None = None) -> Iterator[FixtureServer]:
    """Run a FixtureServer on an ephemeral port of 127.0.0.1 for the duration of the block."""
    state = FixtureServer(files=dict(files or {}))

    class Handler(BaseHTTPRequestHandler):
        def _extra(self) -> dict[str, str]:
            return {**state.default_headers, **state.headers.get(self.path, {})}

        def _empty(self, status: int, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            with state.lock:
                state.requests.append(("GET", self.path, dict(self.headers.items())))
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
                sequence = state.status_sequences.get(self.path)
                queued = sequence.pop(0) if sequence else None
            try:
                if state.delay:
                    time.sleep(state.delay)
                self._answer(queued)
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _answer(self, queued: int | None) -> None:
            extra = self._extra()
            if queued is not None:
                self._empty(queued, extra)
                return
            if self.path in state.status_overrides:
                self.send_response(state.status_overrides[self.path])
                self.end_headers()
                return
            body = state.files.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            validators = {"ETag": etag} if state.use_etag else {}
            modified = extra.get("Last-Modified")
            if (state.use_etag and self.headers.get("If-None-Match") == etag) or (
                modified is not None and self.headers.get("If-Modified-Since") == modified
            ):
                self._empty(304, {**extra, **validators})
                return
            self.send_response(200)
            for name, value in {**extra, **validators}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
