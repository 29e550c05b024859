"""Signing in and out of the console in a real browser."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect


def test_a_visitor_is_sent_to_the_login_page_and_back_after_signing_in(
    page: Page, sign_in: Callable[[str], Page]
) -> None:
    page.goto("/account/password")
    assert page.url.endswith("/login?next=/account/password")
    sign_in("engineer")
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()


def test_a_wrong_password_is_refused_with_a_message(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill("admin@example.invalid")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail address or password.")


def test_signing_out_ends_the_session(page: Page, sign_in: Callable[[str], Page]) -> None:
    sign_in("admin")
    page.goto("/account/password")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.goto("/account/password")
    assert "/login" in page.url


def test_the_api_docs_page_loads_without_any_other_host(page: Page) -> None:
    page.goto("/api/v1/docs")
    # Swagger UI is a 1.5 MB script that renders the page after parsing it: on a CI machine busy with
    # the other test worker and coverage that took longer than the default 10 s once.
    expect(page.locator(".swagger-ui .title")).to_contain_text("Steward", timeout=45_000)
