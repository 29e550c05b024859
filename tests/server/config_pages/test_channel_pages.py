"""The channel and notice pages: channels by scope with URLs masked, the create form and its refusals,
enabling, disabling and deleting, "Send test" against a real local receiver and a scripted failure,
and acknowledging admin notices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.notify.models import AdminNotice, Channel, Delivery
from pysteward.server.notify.sender import FakeSender, SendResult
from tests.server.config_pages.pages import post_form, sign_in
from tests.server.slas.matrix import add_service

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def _channel(sessions: sessionmaker[Session], **values: Any) -> int:
    values.setdefault("url", "json://127.0.0.1:9/hook")
    with sessions() as session:
        row = Channel(**values)
        session.add(row)
        session.commit()
        return row.id


def test_channels_are_grouped_by_scope_with_their_secrets_masked(client, personas, sessions):
    with sessions() as session:
        shop = add_service(session, personas.acme, "storefront").id
    _channel(sessions, name="Ops webhook", url="json://ops:hunter2secret@127.0.0.1:9/hook", for_admins=True)
    _channel(sessions, name="Acme mail", client_id=personas.acme, subscribed=False)
    _channel(sessions, name="Shop pager", client_id=personas.acme, service_id=shop, enabled=False,
             disabled_reason="delivery 7 failed permanently: 404")  # fmt: skip
    sign_in(client, personas, "admin")
    text = client.get("/admin/channels").text
    assert "hunter2secret" not in text and "json://ops:****@127.0.0.1:9/hook" in text
    provider, per_client, per_service = (
        text.index(h) for h in ("<h2>Provider-wide", "<h2>Per client", "<h2>Per service")
    )
    assert provider < text.index("Ops webhook") < per_client < text.index("Acme mail") < per_service
    assert text.index("Shop pager") > per_service and "storefront (Acme)" in text
    assert "incident events; admin notices" in text and "escalation steps naming it" in text
    assert "delivery 7 failed permanently: 404" in text
    assert '<option value="service:' in text and ">storefront (Acme)</option>" in text


def test_a_channel_created_for_a_service_takes_its_client(client, personas, sessions):
    with sessions() as session:
        shop = add_service(session, personas.acme, "storefront").id
    csrf = sign_in(client, personas, "admin")
    response = post_form(client, "/admin/channels", csrf, name="Shop hook", url="json://127.0.0.1:9/shop",
                         scope=f"service:{shop}", subscribed="true")  # fmt: skip
    assert (response.status_code, response.headers["location"]) == (303, "/admin/channels?done=created")
    with sessions() as session:
        row = session.scalars(select(Channel).where(Channel.name == "Shop hook")).one()
        assert (row.client_id, row.service_id, row.subscribed, row.for_admins) == (
            personas.acme,
            shop,
            True,
            False,
        )


HOOK = "json://127.0.0.1:9/x"
REFUSED = {
    "private address": ({"url": "json://10.0.0.5/x"}, 422, "Url: 10.0.0.5 is a private or reserved address"),
    "unknown service": ({"url": "nonsense://x"}, 422, "Url: nonsense:// is not a notification service"),
    "bad scope": ({"url": HOOK, "scope": "galaxy:1"}, 422, "Scope: &#39;galaxy:1&#39; is not provider"),
    "unknown client": ({"url": HOOK, "scope": "client:2147483647"}, 404, "Client 2147483647 not found"),
    "client admin channel": ({"url": HOOK, "scope": "client:{acme}", "for_admins": "true"}, 422,
                             "For_admins: only provider-wide channels may receive admin notices"),
}  # fmt: skip


def test_a_channel_the_service_refuses_shows_the_page_again_with_the_reason(client, personas, sessions):
    csrf = sign_in(client, personas, "admin")
    for case, (template, status, reason) in REFUSED.items():
        fields = {name: value.format(acme=personas.acme) for name, value in template.items()}
        response = post_form(client, "/admin/channels", csrf, name="Refused", **fields)
        assert (response.status_code, reason in response.text) == (status, True), case
    with sessions() as session:
        assert session.scalars(select(Channel.id)).all() == []


def test_disabling_enabling_and_deleting_a_channel(client, personas, sessions):
    channel_id = _channel(sessions, name="Pager")
    csrf = sign_in(client, personas, "admin")
    for action, enabled in (("disable", False), ("enable", True)):
        response = post_form(client, f"/admin/channels/{channel_id}/{action}", csrf)
        assert (response.status_code, response.headers["location"]) == (
            303,
            f"/admin/channels?done={action}d",
        )
        with sessions() as session:
            assert session.get_one(Channel, channel_id).enabled is enabled
        shown = client.get(f"/admin/channels/{channel_id}").text
        assert ('<span class="state up">enabled</span>' in shown) is enabled
        assert "Nothing sent to this channel yet." in shown
    assert post_form(client, f"/admin/channels/{channel_id}/delete", csrf).status_code == 303
    with sessions() as session:
        assert session.get(Channel, channel_id) is None
    assert post_form(client, f"/admin/channels/{channel_id}/delete", csrf).status_code == 404


def test_send_test_reaches_a_real_receiver_and_shows_the_attempt(client, personas, sessions, webhook):
    channel_id = _channel(sessions, name="Receiver", url=webhook.url(200))
    csrf = sign_in(client, personas, "admin")
    response = post_form(client, f"/admin/channels/{channel_id}/test", csrf)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/admin/channels/{channel_id}?test=")
    text = client.get(response.headers["location"]).text
    assert '<h2 id="test-result">Test sent</h2>' in text and '<span class="meets">success</span>' in text
    ((path, body),) = webhook.requests
    assert (path, body["title"]) == ("/status/200", "Steward test notification")
    assert "channel.test" in text  # the latest deliveries list the test too


def test_a_failed_test_shows_why_and_leaves_the_channel_enabled(client, app, personas, sessions):
    app.state.sender = FakeSender(
        script=[SendResult(ok=False, permanent=True, error="404 Not Found, error=404.")]
    )
    channel_id = _channel(sessions, name="Broken")
    csrf = sign_in(client, personas, "admin")
    location = post_form(client, f"/admin/channels/{channel_id}/test", csrf).headers["location"]
    text = client.get(location).text
    assert '<h2 id="test-result">Test failed</h2>' in text
    assert '<span class="below">permanent</span>' in text and "404 Not Found, error=404." in text
    assert "A failed test neither retries nor disables the channel." in text
    with sessions() as session:
        assert session.get_one(Channel, channel_id).enabled is True
        assert session.scalars(select(Delivery.status)).one().value == "failed"


def test_a_test_of_another_channel_is_not_shown_on_this_ones_page(client, app, personas, sessions):
    app.state.sender = FakeSender()
    first, second = _channel(sessions, name="First"), _channel(sessions, name="Second")
    csrf = sign_in(client, personas, "admin")
    location = post_form(client, f"/admin/channels/{first}/test", csrf).headers["location"]
    delivery = location.rsplit("=", 1)[1]
    assert "test-result" not in client.get(f"/admin/channels/{second}?test={delivery}").text
    assert client.get("/admin/channels/2147483647").status_code == 404


def test_notices_are_listed_and_acknowledged(client, personas, sessions):
    with sessions() as session:
        notice = AdminNotice(at=AT, kind="channel.disabled", message="channel 3 ('Pager') was disabled: 404")
        session.add(notice)
        session.commit()
        notice_id = notice.id
    csrf = sign_in(client, personas, "admin")
    unread = client.get("/admin/notices").text
    assert "channel 3 (&#39;Pager&#39;) was disabled: 404" in unread and "<h2>Acknowledged</h2>" not in unread
    response = post_form(client, f"/admin/notices/{notice_id}/read", csrf)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/notices")
    text = client.get("/admin/notices").text
    assert "Nothing needs attention." in text and text.index("<h2>Acknowledged</h2>") < text.index("Pager")
    with sessions() as session:
        assert session.get_one(AdminNotice, notice_id).read_at is not None
