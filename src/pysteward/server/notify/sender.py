"""Sending one message to one Apprise URL; a failure is a value with a `permanent` flag (STYLE 18).

    Sender              the interface: `send(url, *, title, body, timeout) -> SendResult`
    ├── AppriseSender   the real one, through Apprise (e-mail, webhooks, Slack, Teams, …)
    └── FakeSender      for tests and demos: records what it is asked to send, answers from a script

A failure is permanent when retrying cannot help: Apprise cannot use the URL, or the service
answered with an HTTP 4xx status other than 408 (timeout) and 429 (rate limited). Everything else,
a refused connection, a timeout, a 5xx answer, a mail server that hung up, is transient.

`check_url` and `masked` serve the API: channel URLs hold secrets (tokens, passwords), so they are
checked when given and only ever shown with those secrets hidden.
"""

from __future__ import annotations

import re
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import apprise

__all__ = ["AppriseSender", "FakeSender", "SendResult", "Sender", "check_url", "masked", "with_recipient"]

_HTTP_STATUS = re.compile(r"\berror=(\d{3})\b")
"""How Apprise's HTTP plugins report the status of a failed request (`…: Page not found., error=404.`)."""
_RETRYABLE_4XX = frozenset({408, 429})
_MAX_ERROR = 2000
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


@cache
def _apprise() -> None:
    """Load Apprise's plugins once. Its e-mail plugin imports `imghdr` (for PGP), deprecated since
    Python 3.11: the warning is Apprise's to fix, and would fail our tests, where warnings are errors."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*imghdr.*", category=DeprecationWarning)
        apprise.NotificationManager().load_modules()  # type: ignore[no-untyped-call]


def _instantiate(url: str, asset: apprise.AppriseAsset | None = None) -> apprise.NotifyBase | None:
    _apprise()
    return apprise.Apprise.instantiate(url, asset=asset)


@dataclass(frozen=True, slots=True)
class SendResult:
    """How one attempt to send went; `permanent` and `error` mean something only when not `ok`."""

    ok: bool
    permanent: bool = False
    error: str = ""


class Sender(ABC):
    """Sends one notification; never raises for a failure of the far end, returns it instead."""

    @abstractmethod
    def send(self, url: str, *, title: str, body: str, timeout: float) -> SendResult:
        """Send `title` and `body` to the Apprise `url`, waiting at most about `timeout` seconds
        for the far end to connect and to answer."""


class AppriseSender(Sender):
    """The real sender: one Apprise service per call, with Steward's timeouts."""

    def send(self, url: str, *, title: str, body: str, timeout: float) -> SendResult:
        """Send through Apprise and classify a failure from what the service logged."""
        # A connect or read timeout bounds each network step; the asset's service limit bounds the
        # whole call (an SMTP exchange is several steps), so no send can hang a worker.
        asset = apprise.AppriseAsset(
            app_id="Steward", app_desc="Steward notifications", service_timeout=timeout * 3
        )
        service = _instantiate(url, asset)
        if service is None:
            return SendResult(ok=False, permanent=True, error=check_url(url) or "apprise cannot use this URL")
        service.socket_connect_timeout = timeout
        service.socket_read_timeout = timeout
        # The result's log holds this call's lines only. `apprise.LogCapture` would listen on the
        # process-wide logger and read another thread's lines when two sends run at once (the
        # runner and a test button in an API worker thread).
        result = apprise.Apprise(service, asset=asset).notify(body=body, title=title)
        if result:
            return SendResult(ok=True)
        lines = [entry.message for entry in result.logs()]
        error = " ".join(lines) or f"apprise reported {result.status.name.lower()}"
        return SendResult(ok=False, permanent=_is_permanent(lines), error=error[:_MAX_ERROR])


def _is_permanent(lines: list[str]) -> bool:
    """Whether the last HTTP status the service logged is a 4xx that retrying cannot fix."""
    statuses = [int(code) for line in lines for code in _HTTP_STATUS.findall(line)]
    if not statuses:
        return False
    last = statuses[-1]
    return 400 <= last < 500 and last not in _RETRYABLE_4XX


@dataclass(slots=True)
class FakeSender(Sender):
    """A sender for tests and demos: records `(url, title, body)` in `sent` and answers with the
    results of `script` in order, then with success."""

    script: list[SendResult] = field(default_factory=list)
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, url: str, *, title: str, body: str, timeout: float) -> SendResult:
        """Record the message; the next scripted result, or success."""
        self.sent.append((url, title, body))
        return self.script.pop(0) if self.script else SendResult(ok=True)


def check_url(url: str) -> str | None:
    """None when Apprise can use `url`, else a short reason (for a 422 answer)."""
    if _instantiate(url) is not None:
        return None
    scheme = _SCHEME.match(url)
    if scheme is None:
        return "is not an Apprise URL such as mailto://… or json://…"
    if scheme.group(1).lower() not in apprise.NotificationManager():  # type: ignore[no-untyped-call]
        return f"{scheme.group(1)}:// is not a notification service Apprise knows"
    return f"is not a valid {scheme.group(1)}:// URL (a part is missing or malformed)"


def masked(url: str) -> str:
    """`url` with its secrets hidden (Apprise's privacy URL), safe to show and to log."""
    service = _instantiate(url)
    if service is not None:
        return str(service.url(privacy=True))  # type: ignore[no-untyped-call]
    # Not a URL Apprise reads (any more): nothing of it can be shown safely but the scheme.
    scheme = _SCHEME.match(url)
    return f"{scheme.group(1)}://****" if scheme else "****"


def with_recipient(mail_url: str, email: str) -> str:
    """The Apprise mail URL `mail_url` sending to `email` alone (its own recipients dropped)."""
    parts = urlsplit(mail_url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in {"to", "cc", "bcc"}
    ]
    # The path of a mailto:// URL lists recipients; the `to` argument names ours.
    return urlunsplit((parts.scheme, parts.netloc, "", urlencode([*query, ("to", email)]), ""))
