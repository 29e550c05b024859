"""Browser tests: the console served by uvicorn on 127.0.0.1, driven by Debian's Chromium through
Playwright (no browser is downloaded).

    live_url     the base URL of a real server on this test's database (SQLite: the storage behind
                 each page is tested on both databases by the page's own HTTP tests)
    page         a fresh browser context's page; every request to a host other than 127.0.0.1 is
                 aborted and recorded, and the test fails if any was made (no CDN, no telemetry)
    sign_in      signs `page` in as a persona (from the login page it is on, or a fresh one)

Chromium runs headless with the flags the machine needs (no sandbox as root, no background
networking, which this closed network would refuse many times a second).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Playwright, Route, expect, sync_playwright

from pysteward.server.settings import Settings, load_settings
from tests.server.conftest import SECRET_KEY, Personas

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "steward.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Plain HTTP on 127.0.0.1: the browser keeps a Secure cookie only over HTTPS.
    return load_settings(
        database_url=database_url,
        secret_key=SECRET_KEY,
        runner=False,
        allow_private_targets=("127.0.0.1/32",),
        cookie_secure=False,
        host="127.0.0.1",
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def live_url(app: FastAPI) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    expect.set_options(timeout=30_000)  # the assertions' waits, as the page's above
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, live_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_url, accept_downloads=True)
    elsewhere: list[str] = []

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    # Generous waits: in CI the browser shares two CPUs with the other test worker and coverage.
    page.set_default_timeout(30_000)
    yield page
    context.close()
    assert elsewhere == [], f"the page asked hosts other than 127.0.0.1: {elsewhere}"


@pytest.fixture
def sign_in(page: Page, personas: Personas) -> Callable[[str], Page]:
    def sign_in_as(name: str) -> Page:
        persona = personas[name]
        if "/login" not in page.url:  # on the login page already, it keeps where to go next
            page.goto("/login")
        page.get_by_label("E-mail").fill(persona.email)
        page.get_by_label("Password").fill(persona.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    return sign_in_as
