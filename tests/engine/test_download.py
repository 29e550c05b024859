"""Conditional, atomic downloads against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pysteward.engine.download import DownloadError, download
from pysteward.engine.observer import Observer
from pysteward.errors import OperationalError
from tests.httpserver import serve

BODY = b"new contents\n" * 1000


class Recorder(Observer):
    def __init__(self) -> None:
        self.events: list[tuple[str, str, int | None]] = []

    def start(self, task: str, total: int | None = None) -> None:
        self.events.append(("start", task, total))

    def advance(self, task: str, steps: int = 1) -> None:
        self.events.append(("advance", task, steps))

    def finish(self, task: str) -> None:
        self.events.append(("finish", task, None))


@contextmanager
def custom_server(respond: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A server whose every GET is answered by `respond`; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            respond(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def test_a_200_writes_the_file_and_keeps_its_etag_for_next_time(tmp_path: Path) -> None:
    dest = tmp_path / "data" / "file.bin"
    observer = Recorder()
    with serve({"/f": BODY}) as server:
        result = download(server.url("/f"), dest, observer=observer, task="download f")
        assert (result.path, result.changed, result.last_modified) == (dest, True, None)
        assert dest.read_bytes() == BODY
        assert json.loads(dest.with_name("file.bin.http.json").read_text(encoding="utf-8")) == {
            "etag": result.etag
        }
        assert observer.events[0] == ("start", "download f", len(BODY))
        assert observer.events[-1] == ("finish", "download f", None)
        assert sum(steps or 0 for kind, _, steps in observer.events if kind == "advance") == len(BODY)

        dest.write_bytes(b"kept as is")
        again = download(server.url("/f"), dest)
        assert (again.changed, again.etag) == (False, result.etag)
        assert dest.read_bytes() == b"kept as is"
        assert server.requests[-1][2]["If-None-Match"] == result.etag
    assert leftovers(dest.parent) == []


def test_last_modified_is_stored_and_sent_back(tmp_path: Path) -> None:
    stamp = "Sat, 21 Nov 2026 10:00:00 GMT"
    seen: list[str | None] = []

    def respond(handler: BaseHTTPRequestHandler) -> None:
        seen.append(handler.headers.get("If-Modified-Since"))
        if handler.headers.get("If-Modified-Since") == stamp:
            handler.send_response(304)
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Last-Modified", stamp)
        handler.end_headers()  # no Content-Length: the body ends when the connection closes
        handler.wfile.write(b"body")
        handler.close_connection = True

    dest = tmp_path / "file"
    observer = Recorder()
    with custom_server(respond) as url:
        first = download(url, dest, observer=observer)
        second = download(url, dest)
    assert (first.changed, first.etag, first.last_modified) == (True, None, stamp)
    assert observer.events[0] == ("start", "download", None)
    assert (second.changed, second.last_modified) == (False, stamp)
    assert seen == [None, stamp]
    assert dest.read_bytes() == b"body"


def test_validators_are_not_sent_without_the_file_or_when_unreadable(tmp_path: Path) -> None:
    dest = tmp_path / "file"
    validators = tmp_path / "file.http.json"
    with serve({"/f": BODY}) as server:
        validators.write_text('{"etag": "\\"stale\\""}', encoding="utf-8")
        download(server.url("/f"), dest)
        assert "If-None-Match" not in server.requests[-1][2]
        validators.write_text("{not json", encoding="utf-8")
        assert download(server.url("/f"), dest).changed
        assert "If-None-Match" not in server.requests[-1][2]
        validators.write_text('{"etag": 5, "last_modified": null}', encoding="utf-8")
        assert download(server.url("/f"), dest).changed
        assert "If-None-Match" not in server.requests[-1][2]


def test_an_http_error_raises_and_leaves_the_old_file(tmp_path: Path) -> None:
    dest = tmp_path / "file"
    dest.write_bytes(b"old")
    with serve({"/f": BODY}) as server:
        server.status_overrides["/f"] = 500
        with pytest.raises(DownloadError, match=r"the server answered HTTP 500") as caught:
            download(server.url("/f"), dest)
    assert isinstance(caught.value, OperationalError)
    assert dest.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_a_refused_connection_raises_a_download_error_with_a_hint(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dest = tmp_path / "file"
    dest.write_bytes(b"old")
    with pytest.raises(DownloadError, match="download failed") as caught:
        download(f"http://127.0.0.1:{port}/f", dest, timeout=5)
    assert caught.value.hint == "check the network or use a local file"
    assert dest.read_bytes() == b"old"


def test_a_stream_cut_short_by_the_server_leaves_no_part_file_and_the_old_file(tmp_path: Path) -> None:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(BODY)))
        handler.end_headers()
        handler.wfile.write(BODY[:100])
        handler.wfile.flush()
        handler.close_connection = True

    dest = tmp_path / "file"
    dest.write_bytes(b"old")
    with custom_server(respond) as url, pytest.raises(DownloadError):
        download(url, dest)
    assert dest.read_bytes() == b"old"
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "file.http.json").exists()


def test_an_exception_mid_stream_leaves_no_part_file_and_propagates(tmp_path: Path) -> None:
    class Interrupting(Observer):
        def advance(self, task: str, steps: int = 1) -> None:
            raise KeyboardInterrupt

    dest = tmp_path / "file"
    dest.write_bytes(b"old")
    with serve({"/f": BODY}) as server, pytest.raises(KeyboardInterrupt):
        download(server.url("/f"), dest, observer=Interrupting())
    assert dest.read_bytes() == b"old"
    assert leftovers(tmp_path) == []
