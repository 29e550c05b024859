"""`steward serve --demo`: a target that misbehaves on purpose, a seeded estate, and a login to try.

DemoTarget      aiohttp server on 127.0.0.1 (/ok, /slow, /flaky, /down, /json, /orders with /break
                and /repair, the /hooks receiver), in its own thread
seed_estate     two clients, five services, eleven monitors against the target and a channel to
                its notification receiver (once per database)
reset_login     admin@demo.invalid with a fresh password and API token, printed at start
Pinger          pings one heartbeat's push URL every PING_SECONDS; the other heartbeat stays silent
running_demo    all of the above for the server's lifetime
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pysteward.server.demo.seed import (
    ADMIN_EMAIL,
    CLIENTS,
    DemoLogin,
    demo_api,
    existing_target_port,
    reset_login,
    seed_estate,
)
from pysteward.server.demo.target import DemoTarget, demo_app
from pysteward.server.settings import Settings

__all__ = [
    "ADMIN_EMAIL",
    "CLIENTS",
    "PING_SECONDS",
    "DemoLogin",
    "DemoTarget",
    "Pinger",
    "demo_api",
    "demo_app",
    "existing_target_port",
    "reset_login",
    "running_demo",
    "seed_estate",
    "welcome",
]

PING_SECONDS = 20.0


class Pinger:
    """Calls `url` every `every` seconds from a daemon thread until `stop()`; failures are ignored
    (the server may not listen yet, and a missed ping is what a heartbeat monitor is for)."""

    def __init__(self, url: str, *, every: float = PING_SECONDS, first: float = 2.0) -> None:
        self.url = url
        self.every = every
        self.first = first
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="steward-demo-pinger", daemon=True)

    def start(self) -> Pinger:
        """Start pinging in the background."""
        self._thread.start()
        return self

    def _run(self) -> None:
        import httpx

        delay = self.first
        while not self._stop.wait(delay):
            delay = self.every
            try:
                httpx.get(self.url, timeout=5.0)
            except httpx.HTTPError:
                continue
            self.sent += 1

    def stop(self) -> None:
        """Stop pinging."""
        self._stop.set()
        self._thread.join(timeout=10)


def welcome(settings: Settings, login: DemoLogin, target: DemoTarget, *, seeded: bool) -> str:
    """What `steward serve --demo` prints: where things are, the logins, and things to try."""
    base = settings.base_url
    estate = (
        "seeded a demo estate with six weeks of backfilled history"
        if seeded
        else "the database already had clients: kept them as they are"
    )
    portal = (
        [f"  client portal: {login.viewer_email} / {login.viewer_password} (Acme Retail's viewer)"]
        if login.viewer_email
        else []
    )
    return "\n".join(
        [
            f"Steward demo on {base} ({estate})",
            f"  console:       {base}/  (sign in as the admin)",
            f"  admin login:   {login.email} / {login.password}",
            *portal,
            f"  status page:   {base}/status/1 (Acme Retail's, public)",
            f"  admin token:   {login.token}",
            f"  demo target:   {target.url} (/ok /slow /flaky /down /json /orders)",
            f"  notifications: {target.url}/hooks (a local receiver every incident event is sent to)",
            "",
            "In the console: the estate overview, a service's uptime timeline, the incidents queue,",
            "SLA pages, Reports (generate last month's SLA report, download its PDF) and Evidence (a zip",
            "for auditors). To work a live incident:",
            f"  curl -X POST {target.url}/break     # the storefront's orders endpoint fails: a P3 in ~20 s",
            "  then acknowledge it in the Incidents queue (or: steward incidents ack ID)",
            f"  curl {target.url}/hooks             # what the Demo receiver channel was sent",
            f"  curl -X POST {target.url}/repair    # recovery resolves the incident",
            "From a shell:",
            f"  export STEWARD_SERVER={base} STEWARD_TOKEN={login.token}",
            "  steward incidents list",
            "  steward slas availability 1          # availability and error budget, policy stated",
            f"  API docs: {base}/api/v1/docs",
        ]
    )


@contextmanager
def running_demo(settings: Settings) -> Iterator[str]:
    """Start the target, seed (once), reset the login and ping one heartbeat; yields the welcome text."""
    from datetime import UTC, datetime

    app = demo_api(settings)
    target = DemoTarget(port=existing_target_port(app) or 0).start()
    pinger: Pinger | None = None
    try:
        now = datetime.now(UTC)
        seeded = seed_estate(app, target.url, now=now)
        login = reset_login(app, now=now)
        if seeded.push_url is not None:
            pinger = Pinger(seeded.push_url).start()
        yield welcome(settings, login, target, seeded=seeded.seeded)
    finally:
        if pinger is not None:
            pinger.stop()
        target.stop()
        app.state.engine.dispose()
