"""The admin pages in a real browser: a new user, a token's secret shown once, and a webhook channel
whose "Send test" reaches a receiver on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.server.notify.conftest import Webhook
from tests.server.notify.conftest import webhook as notify_webhook  # noqa: F401 (the fixture, by name)


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Webhook:
    """The notify tests' local webhook receiver (answers `/status/<code>` with that status)."""
    found: Webhook = request.getfixturevalue("notify_webhook")
    return found


def test_an_admin_creates_a_user(page: Page, sign_in: Callable[[str], Page]) -> None:
    sign_in("admin")
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Users", exact=True).click()
    form = page.locator("form[action='/admin/users']")
    form.get_by_label("E-mail").fill("oncall@example.invalid")
    form.get_by_label("Password").fill("a long enough password")
    form.get_by_label("Role").select_option("engineer")
    form.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_have_text("User created.")
    row = page.get_by_role("row").filter(has_text="oncall@example.invalid")
    expect(row.get_by_label("Role of oncall@example.invalid")).to_have_value("engineer")
    expect(row.get_by_label("oncall@example.invalid is active")).to_be_checked()


def test_a_new_tokens_secret_is_shown_once(page: Page, sign_in: Callable[[str], Page]) -> None:
    sign_in("admin")
    page.goto("/admin/tokens")
    form = page.locator("form[action='/admin/tokens']")
    form.get_by_label("Name").fill("Nightly export")
    form.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("token-secret")
    expect(secret).to_contain_text("stw_")
    text = secret.inner_text()
    assert text.startswith("stw_") and len(text) > 40
    expect(page.get_by_role("cell", name="Nightly export", exact=True)).to_be_visible()
    page.goto("/admin/tokens")  # the page again, by GET: it never shows a secret
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    expect(page.get_by_role("cell", name="Nightly export", exact=True)).to_be_visible()
    assert text not in page.content()


def test_a_webhook_channels_test_reaches_the_receiver(
    page: Page, sign_in: Callable[[str], Page], receiver: Webhook
) -> None:
    sign_in("admin")
    page.goto("/admin/channels")
    form = page.locator("form[action='/admin/channels']")
    form.get_by_label("Name").fill("On-call webhook")
    form.get_by_label("Apprise URL").fill(receiver.url(200))
    form.get_by_role("button", name="Create channel").click()
    expect(page.get_by_role("status")).to_have_text("Channel created.")
    page.get_by_role("button", name="Send test to On-call webhook").click()
    expect(page.get_by_role("heading", name="Test sent")).to_be_visible()
    expect(page.get_by_role("status").get_by_text("success")).to_be_visible()
    ((path, body),) = receiver.requests
    assert (path, body["title"]) == ("/status/200", "Steward test notification")
