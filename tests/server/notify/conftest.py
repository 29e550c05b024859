"""Real local far ends for the notify tests, on 127.0.0.1 only:

mail_server     an SMTP server (aiosmtpd) keeping every message it accepts
webhook         an HTTP server answering `/status/<code>` with that status, keeping every request
closed_port     a port nothing listens on (connection refused)
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port free on 127.0.0.1 at the time of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def text_of(message: EmailMessage) -> str:
    """The plain-text body of `message`."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


@dataclass(slots=True)
class MailServer:
    """What the local SMTP server received."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    def url(self, to: str = "ops@example.invalid") -> str:
        """An Apprise URL sending through this server without TLS."""
        return (
            f"mailto://steward@example.invalid?smtp=127.0.0.1&port={self.port}&mode=insecure"
            f"&from=steward@example.invalid&to={to}"
        )

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.append(list(envelope.rcpt_tos))
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    yield server
    controller.stop()


@dataclass(slots=True)
class Webhook:
    """What the local HTTP server received."""

    port: int
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def url(self, status: int) -> str:
        """An Apprise JSON-webhook URL answered with `status`."""
        return f"json://127.0.0.1:{self.port}/status/{status}"


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    received = Webhook(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            received.requests.append((self.path, json.loads(self.rfile.read(length) or b"{}")))
            self.send_response(int(self.path.rsplit("/", 1)[-1]))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def closed_port() -> int:
    return free_port()
