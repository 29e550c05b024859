"""Sending due deliveries with a frozen clock, on both databases: retries with backoff, giving up,
permanent failures disabling their channel, e-mail to users, and claims between workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.notify import tasks
from pysteward.server.notify.delivery import NO_MAIL_SERVER, deliver_due
from pysteward.server.notify.models import AdminNotice, Channel, Delivery, DeliveryStatus
from pysteward.server.notify.sender import AppriseSender, FakeSender, SendResult
from pysteward.server.notify.tasks import run_deliveries
from pysteward.server.settings import Settings
from pysteward.server.tenancy.models import User
from tests.server.conftest import Personas
from tests.server.notify.conftest import MailServer, text_of
from tests.server.notify.factories import HOOK, NOW, add_channel, add_delivery, at, attempts_of, tuned

TRANSIENT = SendResult(ok=False, error="error=503.")
PERMANENT = SendResult(ok=False, permanent=True, error="error=404.")


def test_a_due_delivery_is_sent_once_and_recorded(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    sender = FakeSender()
    with sessions() as session:
        channel = add_channel(session)
        delivery = add_delivery(session, channel_id=channel.id)
        later = add_delivery(session, channel_id=channel.id, due=at(1))
        add_delivery(session, channel_id=channel.id, due=None)

        assert deliver_due(session, now=NOW, sender=sender, settings=settings) == 1
        assert deliver_due(session, now=NOW, sender=sender, settings=settings) == 0

        session.refresh(delivery)
        assert (delivery.status, delivery.attempts, delivery.finished_at, delivery.next_attempt_at) == (
            DeliveryStatus.SENT,
            1,
            NOW,
            None,
        )
        assert attempts_of(session, delivery.id) == [(NOW, "success", "")]
        assert sender.sent == [(HOOK, "Shop down", "The shop answers 503.")]
        assert session.get_one(Delivery, later.id).status is DeliveryStatus.PENDING


def test_transient_failures_are_retried_with_doubling_backoff_then_given_up(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    settings = tuned(settings, notify_max_attempts=4, notify_backoff_seconds=30)
    sender = FakeSender(script=[TRANSIENT] * 4)
    with sessions() as session:
        delivery = add_delivery(session, channel_id=add_channel(session).id)
        retries = []
        for now in (NOW, at(30), at(90), at(210)):
            assert deliver_due(session, now=now - timedelta(seconds=1), sender=sender, settings=settings) == 0
            assert deliver_due(session, now=now, sender=sender, settings=settings) == 1
            session.refresh(delivery)
            retries.append(delivery.next_attempt_at)

        assert retries == [at(30), at(90), at(210), None]
        assert (delivery.status, delivery.attempts, delivery.finished_at) == (
            DeliveryStatus.FAILED,
            4,
            at(210),
        )
        assert [outcome for _, outcome, _ in attempts_of(session, delivery.id)] == ["transient"] * 4
        assert session.get_one(Channel, delivery.channel_id).enabled  # transient failures never disable
        assert session.scalars(select(AdminNotice)).all() == []


def test_the_backoff_stops_growing_at_one_hour(sessions: sessionmaker[Session], settings: Settings) -> None:
    settings = tuned(settings, notify_max_attempts=10, notify_backoff_seconds=1000)
    sender = FakeSender(script=[TRANSIENT] * 3)
    with sessions() as session:
        delivery = add_delivery(session, channel_id=add_channel(session).id)
        seen = []
        now = NOW
        for _ in range(3):
            deliver_due(session, now=now, sender=sender, settings=settings)
            session.refresh(delivery)
            assert delivery.next_attempt_at is not None
            seen.append((delivery.next_attempt_at - now).total_seconds())
            now = delivery.next_attempt_at
        assert seen == [1000, 2000, 3600]


def test_a_permanent_failure_disables_the_channel_and_tells_the_admins(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    sender = FakeSender(script=[PERMANENT])
    with sessions() as session:
        broken = add_channel(session, name="ops hook", for_admins=True)
        admins = add_channel(session, url="json://127.0.0.1:9/admins", for_admins=True)
        delivery = add_delivery(session, channel_id=broken.id)

        assert deliver_due(session, now=NOW, sender=sender, settings=settings) == 1

        session.refresh(delivery)
        session.refresh(broken)
        assert (delivery.status, delivery.attempts, delivery.finished_at) == (DeliveryStatus.FAILED, 1, NOW)
        assert attempts_of(session, delivery.id) == [(NOW, "permanent", "error=404.")]
        assert not broken.enabled
        assert broken.disabled_reason == f"delivery {delivery.id} failed permanently: error=404."
        [notice] = session.scalars(select(AdminNotice)).all()
        assert (notice.kind, notice.channel_id, notice.at) == ("channel.disabled", broken.id, NOW)
        assert notice.message == f"channel {broken.id} ('ops hook') was disabled: error=404."
        [told] = session.scalars(select(Delivery).where(Delivery.id != delivery.id)).all()
        assert (told.channel_id, told.event, told.body) == (admins.id, "channel.disabled", notice.message)

        # The notice to the admins goes out in the same way, at the next pass.
        assert deliver_due(session, now=NOW, sender=sender, settings=settings) == 1
        assert sender.sent[-1] == ("json://127.0.0.1:9/admins", "Steward: channel.disabled", notice.message)


def test_a_delivery_to_a_disabled_channel_fails_without_sending(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    sender = FakeSender()
    with sessions() as session:
        channel = add_channel(session, enabled=False, disabled_reason="error=401.")
        add_channel(session, for_admins=True)
        delivery = add_delivery(session, channel_id=channel.id)

        assert deliver_due(session, now=NOW, sender=sender, settings=settings) == 1

        session.refresh(delivery)
        assert delivery.status is DeliveryStatus.FAILED
        assert attempts_of(session, delivery.id) == [(NOW, "permanent", "channel is disabled: error=401.")]
        assert sender.sent == []
        # Already disabled: the admins were told then, not again.
        assert session.scalars(select(AdminNotice)).all() == []
        assert session.get_one(Channel, channel.id).disabled_reason == "error=401."


def test_a_user_is_mailed_through_the_configured_mail_server(
    sessions: sessionmaker[Session], settings: Settings, personas: Personas, mail_server: MailServer
) -> None:
    mail_url = mail_server.url(to="someone-else@example.invalid")
    settings = tuned(settings, mail_url=SecretStr(mail_url), notify_timeout_seconds=5)
    engineer = personas["engineer"]
    with sessions() as session:
        delivery = add_delivery(session, user_id=engineer.user_id, title="Escalation", body="Still down")

        assert deliver_due(session, now=NOW, sender=AppriseSender(), settings=settings) == 1

        session.refresh(delivery)
        assert delivery.status is DeliveryStatus.SENT
    [message] = mail_server.messages
    assert mail_server.recipients == [[engineer.email]]
    assert (message["To"], message["Subject"]) == (engineer.email, "Escalation")
    assert text_of(message).strip() == "Still down"


def test_without_a_mail_server_a_user_delivery_fails_and_the_admins_are_told(
    sessions: sessionmaker[Session], settings: Settings, personas: Personas
) -> None:
    sender = FakeSender()
    with sessions() as session:
        admins = add_channel(session, for_admins=True)
        delivery = add_delivery(session, user_id=personas["engineer"].user_id)

        deliver_due(session, now=NOW, sender=sender, settings=settings)

        session.refresh(delivery)
        assert delivery.status is DeliveryStatus.FAILED
        assert attempts_of(session, delivery.id) == [(NOW, "permanent", NO_MAIL_SERVER)]
        [notice] = session.scalars(select(AdminNotice)).all()
        assert notice.kind == "delivery.failed"
        assert notice.message == (
            f"delivery {delivery.id} (incident.opened) to user {personas['engineer'].user_id} failed: "
            + NO_MAIL_SERVER
        )
        assert session.scalar(select(Delivery.channel_id).where(Delivery.id != delivery.id)) == admins.id
        assert sender.sent == []


def test_a_delivery_to_a_user_deactivated_since_fails(
    sessions: sessionmaker[Session], settings: Settings, personas: Personas
) -> None:
    settings = tuned(settings, mail_url=SecretStr("mailto://steward@example.invalid"))
    sender = FakeSender()
    with sessions() as session:
        delivery = add_delivery(session, user_id=personas["engineer"].user_id)
        session.get_one(User, personas["engineer"].user_id).active = False
        session.commit()
        deliver_due(session, now=NOW, sender=sender, settings=settings)
        assert attempts_of(session, delivery.id) == [(NOW, "permanent", "the user is inactive or gone")]
        assert sender.sent == []


class Crash(Exception):
    pass


class CrashingSender(FakeSender):
    def send(self, url: str, *, title: str, body: str, timeout: float) -> SendResult:
        raise Crash


def test_a_worker_that_dies_mid_send_leaves_the_delivery_to_be_retried_after_its_lease(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    with sessions() as session:
        delivery_id = add_delivery(session, channel_id=add_channel(session).id).id
        with pytest.raises(Crash):
            deliver_due(session, now=NOW, sender=CrashingSender(), settings=settings)
        session.rollback()
    with sessions() as session:
        sender = FakeSender()
        assert deliver_due(session, now=at(599), sender=sender, settings=settings) == 0
        assert deliver_due(session, now=at(600), sender=sender, settings=settings) == 1
        assert session.get_one(Delivery, delivery_id).status is DeliveryStatus.SENT


def test_two_workers_never_send_the_same_delivery_twice(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    """The first worker reads five due deliveries; while it sends the first, a second worker sends
    the other four. The first worker's claims on those then find them changed and leave them."""
    second = FakeSender()

    class RacingSender(FakeSender):
        def send(self, url: str, *, title: str, body: str, timeout: float) -> SendResult:
            if not self.sent:
                with sessions() as other:
                    assert deliver_due(other, now=NOW, sender=second, settings=settings) == 4
            return FakeSender.send(self, url, title=title, body=body, timeout=timeout)

    first = RacingSender()
    with sessions() as session:
        ids = [
            add_delivery(session, channel_id=add_channel(session, url=f"json://h{i}.invalid").id).id
            for i in range(5)
        ]
        assert deliver_due(session, now=NOW, sender=first, settings=settings) == 1

        assert len(first.sent) + len(second.sent) == 5
        assert {url for url, _, _ in first.sent + second.sent} == {f"json://h{i}.invalid" for i in range(5)}
        assert [len(attempts_of(session, i)) for i in ids] == [1] * 5


def test_run_deliveries_sends_everything_due_in_batches_up_to_its_cap(
    sessions: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "BATCH", 2)
    monkeypatch.setattr(tasks, "MAX_PER_TICK", 5)
    sender = FakeSender()
    with sessions() as session:
        channel = add_channel(session).id
        for _ in range(7):
            add_delivery(session, channel_id=channel)
        assert run_deliveries(session, now=NOW, sender=sender, settings=settings) == 5
        assert run_deliveries(session, now=NOW, sender=sender, settings=settings) == 2
        assert run_deliveries(session, now=NOW, sender=sender, settings=settings) == 0
        assert len(sender.sent) == 7
