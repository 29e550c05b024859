"""The Apprise sender against real local far ends, the fake sender, and URL checking and masking."""

from __future__ import annotations

import pytest

from pysteward.server.notify.sender import (
    AppriseSender,
    FakeSender,
    SendResult,
    check_url,
    masked,
    with_recipient,
)
from tests.server.notify.conftest import MailServer, Webhook, text_of

SENDER = AppriseSender()


def send(url: str) -> SendResult:
    return SENDER.send(url, title="Disk full", body="db-1 has 0 bytes left", timeout=5)


def test_it_sends_an_email_through_a_real_smtp_server(mail_server: MailServer) -> None:
    result = send(mail_server.url("oncall@example.invalid"))
    assert result == SendResult(ok=True)
    [message] = mail_server.messages
    assert message["Subject"] == "Disk full"
    assert message["To"] == "oncall@example.invalid"
    assert text_of(message).strip() == "db-1 has 0 bytes left"
    assert mail_server.recipients == [["oncall@example.invalid"]]


def test_it_posts_the_title_and_body_to_a_json_webhook(webhook: Webhook) -> None:
    assert send(webhook.url(200)) == SendResult(ok=True)
    [(path, payload)] = webhook.requests
    assert path == "/status/200"
    assert (payload["title"], payload["message"]) == ("Disk full", "db-1 has 0 bytes left")


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(500, False), (503, False), (429, False), (408, False), (404, True), (401, True), (400, True)],
)
def test_it_marks_4xx_answers_other_than_408_and_429_as_permanent(
    webhook: Webhook, status: int, permanent: bool
) -> None:
    result = send(webhook.url(status))
    assert not result.ok
    assert result.permanent is permanent
    assert f"error={status}" in result.error


def test_it_marks_a_refused_connection_as_transient(closed_port: int) -> None:
    result = send(f"json://127.0.0.1:{closed_port}/hook")
    assert (result.ok, result.permanent) == (False, False)
    assert "connection error" in result.error.lower()


def test_it_marks_an_unreachable_mail_server_as_transient(closed_port: int) -> None:
    url = f"mailto://steward@example.invalid?smtp=127.0.0.1&port={closed_port}&mode=insecure&to=a@example.invalid"
    result = send(url)
    assert (result.ok, result.permanent) == (False, False)
    assert "127.0.0.1" in result.error


def test_it_marks_a_url_apprise_cannot_use_as_permanent_without_sending() -> None:
    assert send("nosuchservice://example.invalid/x") == SendResult(
        ok=False, permanent=True, error="nosuchservice:// is not a notification service Apprise knows"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("json://127.0.0.1:9/hook", None),
        ("mailtos://user:secret@example.invalid", None),
        ("nosuchservice://example.invalid", "nosuchservice:// is not a notification service Apprise knows"),
        ("just some words", "is not an Apprise URL such as mailto://… or json://…"),
        ("json://", "is not a valid json:// URL (a part is missing or malformed)"),
    ],
)
def test_check_url_says_why_apprise_cannot_use_a_url(url: str, reason: str | None) -> None:
    assert check_url(url) == reason


def test_masked_hides_passwords_and_tokens() -> None:
    shown = masked("mailtos://user:hunter2@example.invalid?to=ops@example.invalid")
    assert "hunter2" not in shown
    assert shown.startswith("mailtos://user:****@example.invalid")
    slack = masked("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ")
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in slack
    assert slack.startswith("slack://")


@pytest.mark.parametrize(
    ("url", "shown"), [("nosuchservice://token@example.invalid", "nosuchservice://****"), ("secret", "****")]
)
def test_masked_shows_only_the_scheme_of_a_url_apprise_cannot_read(url: str, shown: str) -> None:
    assert masked(url) == shown


def test_with_recipient_replaces_every_recipient_and_keeps_the_rest() -> None:
    url = "mailtos://u:p@example.invalid/old@example.invalid?smtp=mail.example.invalid&to=x@example.invalid&cc=c@example.invalid&bcc=b@example.invalid"
    assert with_recipient(url, "new@example.invalid") == (
        "mailtos://u:p@example.invalid?smtp=mail.example.invalid&to=new%40example.invalid"
    )


def test_the_fake_sender_records_messages_and_answers_from_its_script() -> None:
    failure = SendResult(ok=False, error="boom")
    fake = FakeSender(script=[failure])
    assert fake.send("json://a.invalid", title="t1", body="b1", timeout=1) == failure
    assert fake.send("json://b.invalid", title="t2", body="b2", timeout=1) == SendResult(ok=True)
    assert fake.sent == [("json://a.invalid", "t1", "b1"), ("json://b.invalid", "t2", "b2")]
