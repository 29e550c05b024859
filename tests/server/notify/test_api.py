"""The notify API: channels (masked URLs, 422 sentences, scopes), the test button, deliveries and
admin notices, for each persona."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.errors import ApiError
from pysteward.server.notify.delivery import deliver_due
from pysteward.server.notify.models import AdminNotice, Channel, Delivery, DeliveryStatus
from pysteward.server.notify.schemas import ChannelCreate
from pysteward.server.notify.sender import FakeSender, SendResult
from pysteward.server.notify.service import create_channel
from pysteward.server.principal import Principal
from pysteward.server.settings import Settings
from pysteward.server.tenancy.models import Role
from tests.server.conftest import Personas
from tests.server.notify.factories import NOW, add_channel, add_delivery, add_incident, add_service

if TYPE_CHECKING:
    from starlette.testclient import TestClient

Sessions = sessionmaker[Session]

SECRET_URL = "mailtos://alerts:hunter2@example.invalid?to=ops@example.invalid"


@pytest.fixture
def sender(app: FastAPI) -> FakeSender:
    fake = FakeSender()
    app.state.sender = fake
    return fake


def post_channel(client: TestClient, personas: Personas, who: str = "engineer", **body: Any) -> Any:
    body.setdefault("name", "Ops mail")
    body.setdefault("url", SECRET_URL)
    return client.post("/api/v1/channels", json=body, headers=personas.headers(who))


def test_a_channel_is_created_and_shown_with_its_secret_masked(
    client: TestClient, personas: Personas, sessions: Sessions
) -> None:
    response = post_channel(client, personas, client_id=personas.acme)
    assert response.status_code == 201, response.text
    channel = response.json()
    assert "hunter2" not in response.text
    assert channel["url"].startswith("mailtos://alerts:****@example.invalid")
    assert {
        k: channel[k] for k in ("client_id", "service_id", "name", "subscribed", "for_admins", "enabled")
    } == {
        "client_id": personas.acme,
        "service_id": None,
        "name": "Ops mail",
        "subscribed": True,
        "for_admins": False,
        "enabled": True,
    }
    with sessions() as session:
        assert session.get_one(Channel, channel["id"]).url == SECRET_URL
    for who in ("admin", "acme_viewer"):
        shown = client.get(f"/api/v1/channels/{channel['id']}", headers=personas.headers(who))
        assert shown.status_code == 200
        assert shown.json()["url"] == channel["url"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "nosuchservice://example.invalid",
            "body.url: nosuchservice:// is not a notification service Apprise knows",
        ),
        ("hello", "body.url: is not an Apprise URL such as mailto://… or json://…"),
        ("json://", "body.url: is not a valid json:// URL (a part is missing or malformed)"),
        ("", "body.url: string should have at least 1 character"),
    ],
)
def test_a_url_apprise_cannot_use_is_refused_naming_the_field(
    client: TestClient, personas: Personas, url: str, message: str
) -> None:
    response = post_channel(client, personas, url=url)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("invalid", message)
    assert error["details"][0]["field"] == "body.url"


@pytest.mark.parametrize("host", ["10.0.0.5", "192.168.1.20", "[::1]", "169.254.169.254"])
def test_a_channel_to_a_private_address_not_allowed_is_refused(
    client: TestClient, personas: Personas, host: str
) -> None:
    answer = post_channel(client, personas, url=f"json://{host}:8080/hook")
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == (
        f"body.url: {host.strip('[]')} is a private or reserved address; "
        "allow its network in STEWARD_ALLOW_PRIVATE_TARGETS to send notifications there"
    )
    made = post_channel(client, personas, url="json://127.0.0.1:8080/hook")  # allowed in these tests
    assert made.status_code == 201
    moved = client.patch(
        f"/api/v1/channels/{made.json()['id']}",
        json={"url": "json://10.1.2.3/hook"},
        headers=personas.headers("engineer"),
    )
    assert moved.status_code == 422


def test_a_service_channel_takes_its_services_client(
    client: TestClient, personas: Personas, sessions: Sessions
) -> None:
    with sessions() as session:
        shop = add_service(session, personas.acme)
    response = post_channel(client, personas, service_id=shop)
    assert response.status_code == 201
    assert (response.json()["client_id"], response.json()["service_id"]) == (personas.acme, shop)
    mismatch = post_channel(client, personas, service_id=shop, client_id=personas.globex)
    assert mismatch.status_code == 422
    assert mismatch.json()["error"]["message"] == f"body.service_id: service {shop} belongs to another client"


def test_only_provider_wide_channels_receive_admin_notices(client: TestClient, personas: Personas) -> None:
    refused = post_channel(client, personas, client_id=personas.acme, for_admins=True)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == (
        "body.for_admins: only provider-wide channels may receive admin notices"
    )
    scoped = post_channel(client, personas, client_id=personas.acme).json()
    patched = client.patch(
        f"/api/v1/channels/{scoped['id']}", json={"for_admins": True}, headers=personas.headers("engineer")
    )
    assert patched.status_code == 422
    assert post_channel(client, personas, for_admins=True).status_code == 201


def test_creating_in_an_unknown_client_or_service_answers_404(client: TestClient, personas: Personas) -> None:
    assert post_channel(client, personas, client_id=999_999).status_code == 404
    assert post_channel(client, personas, service_id=999_999).status_code == 404


def test_a_caller_limited_to_one_client_cannot_create_provider_wide_channels(
    sessions: Sessions, personas: Personas, settings: Settings
) -> None:
    narrowed = Principal(
        user_id=personas["engineer"].user_id, role=Role.ENGINEER, client_id=personas.acme, via="token"
    )
    data = ChannelCreate(name="x", url="json://127.0.0.1:9/x")
    with sessions() as session, pytest.raises(ApiError) as raised:
        create_channel(session, principal=narrowed, data=data, now=NOW, settings=settings)
    assert raised.value.status == 403
    with sessions() as session:
        other = ChannelCreate(name="x", url="json://127.0.0.1:9/x", client_id=personas.globex)
        with pytest.raises(ApiError) as hidden:
            create_channel(session, principal=narrowed, data=other, now=NOW, settings=settings)
        assert hidden.value.status == 404
        mine = ChannelCreate(name="x", url="json://127.0.0.1:9/x", client_id=personas.acme)
        made = create_channel(session, principal=narrowed, data=mine, now=NOW, settings=settings)
        assert made.client_id == personas.acme


def test_a_viewer_lists_only_their_clients_channels(
    client: TestClient, personas: Personas, sessions: Sessions
) -> None:
    with sessions() as session:
        own = add_channel(session, client_id=personas.acme).id
        provider = add_channel(session).id
        foreign = add_channel(session, client_id=personas.globex).id
    listed = client.get("/api/v1/channels", headers=personas.headers("acme_viewer")).json()
    assert [c["id"] for c in listed["items"]] == [own]
    for hidden in (provider, foreign):
        assert (
            client.get(f"/api/v1/channels/{hidden}", headers=personas.headers("acme_viewer")).status_code
            == 404
        )
    everything = client.get("/api/v1/channels", headers=personas.headers("engineer")).json()
    assert [c["id"] for c in everything["items"]] == [own, provider, foreign]


def test_channel_lists_filter_and_page(client: TestClient, personas: Personas, sessions: Sessions) -> None:
    with sessions() as session:
        shop = add_service(session, personas.acme)
        on_shop = add_channel(session, client_id=personas.acme, service_id=shop).id
        off = add_channel(session, client_id=personas.acme, enabled=False).id
        globex = add_channel(session, client_id=personas.globex).id
    headers = personas.headers("admin")

    def ids(query: str) -> list[int]:
        return [c["id"] for c in client.get(f"/api/v1/channels?{query}", headers=headers).json()["items"]]

    assert ids(f"client_id={personas.acme}") == [on_shop, off]
    assert ids(f"service_id={shop}") == [on_shop]
    assert ids("enabled=false") == [off]
    assert ids("enabled=true") == [on_shop, globex]
    first = client.get("/api/v1/channels?limit=2", headers=headers).json()
    assert ([c["id"] for c in first["items"]], first["next_after"]) == ([on_shop, off], off)
    assert ids(f"limit=2&after={off}") == [globex]


def test_re_enabling_a_channel_clears_why_it_was_disabled(
    client: TestClient, personas: Personas, sessions: Sessions
) -> None:
    with sessions() as session:
        channel = add_channel(
            session, client_id=personas.acme, enabled=False, disabled_reason="error=404."
        ).id
    headers = personas.headers("engineer")
    renamed = client.patch(f"/api/v1/channels/{channel}", json={"name": "Renamed"}, headers=headers).json()
    assert (renamed["name"], renamed["enabled"], renamed["disabled_reason"]) == (
        "Renamed",
        False,
        "error=404.",
    )
    enabled = client.patch(f"/api/v1/channels/{channel}", json={"enabled": True}, headers=headers).json()
    assert (enabled["enabled"], enabled["disabled_reason"]) == (True, "")


def test_changing_the_url_is_checked_and_stored(
    client: TestClient, personas: Personas, sessions: Sessions
) -> None:
    with sessions() as session:
        channel = add_channel(session).id
    headers = personas.headers("engineer")
    bad = client.patch(f"/api/v1/channels/{channel}", json={"url": "nosuchservice://x"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("body.url: nosuchservice://")
    good = client.patch(f"/api/v1/channels/{channel}", json={"url": SECRET_URL}, headers=headers)
    assert good.status_code == 200
    assert "hunter2" not in good.text
    with sessions() as session:
        assert session.get_one(Channel, channel).url == SECRET_URL


def test_a_viewer_reads_but_cannot_change_their_clients_channels(
    client: TestClient, personas: Personas, sessions: Sessions
) -> None:
    with sessions() as session:
        channel = add_channel(session, client_id=personas.acme).id
    headers = personas.headers("acme_viewer")
    assert client.patch(f"/api/v1/channels/{channel}", json={"name": "x"}, headers=headers).status_code == 403
    assert client.delete(f"/api/v1/channels/{channel}", headers=headers).status_code == 403
    assert client.post(f"/api/v1/channels/{channel}/test", headers=headers).status_code == 403
    assert post_channel(client, personas, who="acme_viewer", client_id=personas.acme).status_code == 403


def test_deleting_a_channel_deletes_its_deliveries(
    client: TestClient, personas: Personas, sessions: Sessions
) -> None:
    with sessions() as session:
        channel = add_channel(session).id
        add_delivery(session, channel_id=channel)
    headers = personas.headers("engineer")
    assert client.delete(f"/api/v1/channels/{channel}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/channels/{channel}", headers=headers).status_code == 404
    with sessions() as session:
        assert session.scalars(select(Delivery)).all() == []


def test_the_test_button_sends_at_once_and_answers_with_the_attempt(
    client: TestClient, personas: Personas, sessions: Sessions, sender: FakeSender
) -> None:
    with sessions() as session:
        channel = add_channel(session, client_id=personas.acme, name="Ops", url=SECRET_URL).id
    response = client.post(f"/api/v1/channels/{channel}/test", headers=personas.headers("engineer"))
    assert response.status_code == 200, response.text
    delivery = response.json()
    assert (delivery["event"], delivery["status"], delivery["attempts"], delivery["channel_id"]) == (
        "channel.test",
        "sent",
        1,
        channel,
    )
    assert [(a["outcome"], a["error"]) for a in delivery["attempt_log"]] == [("success", "")]
    assert sender.sent == [(SECRET_URL, "Steward test notification", delivery["body"])]
    assert "'Ops'" in delivery["body"]


def test_a_failed_test_is_reported_and_leaves_the_channel_alone(
    client: TestClient, personas: Personas, sessions: Sessions, sender: FakeSender
) -> None:
    sender.script = [SendResult(ok=False, permanent=True, error="error=401.")]
    with sessions() as session:
        channel = add_channel(session, enabled=False, disabled_reason="old").id
    delivery = client.post(f"/api/v1/channels/{channel}/test", headers=personas.headers("admin")).json()
    assert delivery["status"] == "failed"
    assert [(a["outcome"], a["error"]) for a in delivery["attempt_log"]] == [("permanent", "error=401.")]
    with sessions() as session:
        row = session.get_one(Channel, channel)
        assert (row.enabled, row.disabled_reason) == (False, "old")
        assert session.scalars(select(AdminNotice)).all() == []
        assert session.scalars(select(Delivery.status)).all() == [DeliveryStatus.FAILED]


def test_a_viewer_sees_only_deliveries_to_their_clients_channels(
    client: TestClient, personas: Personas, sessions: Sessions
) -> None:
    with sessions() as session:
        own = add_delivery(
            session, channel_id=add_channel(session, client_id=personas.acme).id, client_id=personas.acme
        ).id
        add_delivery(session, channel_id=add_channel(session).id, client_id=personas.acme)
        add_delivery(session, user_id=personas["engineer"].user_id, client_id=personas.acme)
        foreign = add_delivery(session, channel_id=add_channel(session, client_id=personas.globex).id).id
    viewer = personas.headers("acme_viewer")
    assert [d["id"] for d in client.get("/api/v1/deliveries", headers=viewer).json()["items"]] == [own]
    assert client.get(f"/api/v1/deliveries/{foreign}", headers=viewer).status_code == 404
    assert client.get(f"/api/v1/deliveries/{own}", headers=viewer).json()["attempt_log"] == []
    assert len(client.get("/api/v1/deliveries", headers=personas.headers("engineer")).json()["items"]) == 4


def test_deliveries_filter_by_channel_incident_and_status(
    client: TestClient, personas: Personas, sessions: Sessions, settings: Settings
) -> None:
    with sessions() as session:
        first, second = add_channel(session).id, add_channel(session).id
        incident = add_incident(session, client_id=personas.acme, service_id=None).id
        sent = add_delivery(session, channel_id=first, incident_id=incident).id
        pending = add_delivery(session, channel_id=second, due=None).id
        deliver_due(session, now=NOW, sender=FakeSender(), settings=settings)
    headers = personas.headers("admin")

    def ids(query: str) -> list[int]:
        return [d["id"] for d in client.get(f"/api/v1/deliveries?{query}", headers=headers).json()["items"]]

    assert ids(f"channel_id={second}") == [pending]
    assert ids(f"incident_id={incident}") == [sent]
    assert ids("status=sent") == [sent]
    assert ids("status=pending") == [pending]
    shown = client.get(f"/api/v1/deliveries/{sent}", headers=headers).json()
    assert [(a["outcome"], a["at"]) for a in shown["attempt_log"]] == [("success", "2030-01-01T12:00:00Z")]
    assert client.get(f"/api/v1/deliveries/{2**63}", headers=headers).status_code == 422


def test_admin_notices_are_for_admins_only(
    client: TestClient, personas: Personas, sessions: Sessions
) -> None:
    with sessions() as session:
        notices = [AdminNotice(at=NOW, kind="channel.disabled", message=f"m{i}") for i in range(2)]
        session.add_all(notices)
        session.commit()
        first, second = (n.id for n in notices)
    for who in ("engineer", "acme_viewer"):
        assert client.get("/api/v1/notices", headers=personas.headers(who)).status_code == 403
        assert client.post(f"/api/v1/notices/{first}/read", headers=personas.headers(who)).status_code == 403
    admin = personas.headers("admin")
    read = client.post(f"/api/v1/notices/{first}/read", headers=admin).json()
    assert read["read_at"] is not None
    again = client.post(f"/api/v1/notices/{first}/read", headers=admin).json()
    assert again["read_at"] == read["read_at"]
    assert client.post("/api/v1/notices/999999/read", headers=admin).status_code == 404

    def ids(query: str = "") -> list[int]:
        return [n["id"] for n in client.get(f"/api/v1/notices?{query}", headers=admin).json()["items"]]

    assert ids() == [first, second]
    assert ids("unread=true") == [second]
    assert ids("unread=false") == [first]
