"""A tiny HTTP server on 127.0.0.1 serving fixture files, for testing real download code.

Supports ETag / If-None-Match so conditional requests can be tested, and counts requests.
"""

from __future__ import annotations

import hashlib
import threading
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

    def url(self, path: str) -> str:
        return self.base_url + path


@contextmanager
def serve(files: dict[str, bytes] | None = None) -> Iterator[FixtureServer]:
    """Run a FixtureServer on an ephemeral port of 127.0.0.1 for the duration of the block."""
    state = FixtureServer(files=dict(files or {}))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(("GET", self.path, dict(self.headers.items())))
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
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
