"""Queueing deliveries: incident events by channel scope, escalation targets, admin notices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.notify.delivery import notify_admins, notify_incident, notify_targets
from pysteward.server.notify.models import AdminNotice, Delivery, DeliveryStatus
from pysteward.server.tenancy.models import User
from tests.server.conftest import Personas
from tests.server.notify.factories import NOW, add_channel, add_incident, add_service, count


def test_an_incident_reaches_its_service_its_client_and_provider_wide_channels_only(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        shop, other = add_service(session, personas.acme), add_service(session, personas.acme)
        on_shop = add_channel(session, client_id=personas.acme, service_id=shop).id
        acme_wide = add_channel(session, client_id=personas.acme).id
        provider_wide = add_channel(session).id
        add_channel(session, client_id=personas.acme, service_id=other)
        add_channel(session, client_id=personas.globex)
        add_channel(session, client_id=personas.acme, enabled=False)
        add_channel(session, client_id=personas.acme, subscribed=False)
        incident = add_incident(session, client_id=personas.acme, service_id=shop)

        queued = notify_incident(
            session, incident=incident, event="incident.opened", title="Shop down", body="503", now=NOW
        )

        assert {d.channel_id for d in queued} == {on_shop, acme_wide, provider_wide}
        assert len(queued) == 3
        for delivery in queued:
            assert delivery.id is not None  # flushed
            assert (delivery.client_id, delivery.incident_id) == (personas.acme, incident.id)
            assert (delivery.event, delivery.title, delivery.body) == ("incident.opened", "Shop down", "503")
            assert (delivery.status, delivery.next_attempt_at, delivery.attempts) == (
                DeliveryStatus.PENDING,
                NOW,
                0,
            )


def test_an_incident_without_a_service_reaches_no_service_channel(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        shop = add_service(session, personas.acme)
        add_channel(session, client_id=personas.acme, service_id=shop)
        acme_wide = add_channel(session, client_id=personas.acme).id
        provider_wide = add_channel(session).id
        incident = add_incident(session, client_id=personas.acme, service_id=None)
        queued = notify_incident(session, incident=incident, event="e", title="t", body="b", now=NOW)
        assert [d.channel_id for d in queued] == [acme_wide, provider_wide]


def test_queueing_leaves_the_commit_to_the_caller(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        add_channel(session)
        incident = add_incident(session, client_id=personas.acme, service_id=None)
        assert len(notify_incident(session, incident=incident, event="e", title="t", body="b", now=NOW)) == 1
        with sessions() as other:
            assert count(other, Delivery) == 0
        session.rollback()
        assert count(session, Delivery) == 0


def test_escalation_targets_named_channels_even_unsubscribed_and_active_users(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        quiet = add_channel(session, client_id=personas.acme, subscribed=False).id
        disabled = add_channel(session, client_id=personas.acme, enabled=False).id
        add_channel(session, client_id=personas.acme)  # not named: not notified
        gone = session.get_one(User, personas["globex_viewer"].user_id)
        gone.active = False
        session.commit()
        engineer = personas["engineer"].user_id

        queued = notify_targets(
            session,
            channel_ids=[quiet, disabled, 999_999],
            user_ids=[engineer, gone.id, 999_999],
            client_id=personas.acme,
            incident_id=None,
            event="incident.escalated",
            title="Still down",
            body="Nobody acknowledged",
            now=NOW,
        )

        assert [(d.channel_id, d.user_id) for d in queued] == [(quiet, None), (None, engineer)]
        assert {(d.client_id, d.event, d.next_attempt_at) for d in queued} == {
            (personas.acme, "incident.escalated", NOW)
        }


def test_an_admin_notice_goes_to_every_enabled_admin_channel_but_the_one_it_is_about(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        first = add_channel(session, for_admins=True).id
        about = add_channel(session, for_admins=True).id
        add_channel(session, for_admins=True, enabled=False)
        add_channel(session)  # not for admins

        notice = notify_admins(
            session, kind="channel.disabled", message="it broke", now=NOW, channel_id=about
        )
        session.commit()

        assert (notice.kind, notice.message, notice.channel_id, notice.at, notice.read_at) == (
            "channel.disabled",
            "it broke",
            about,
            NOW,
            None,
        )
        deliveries = session.scalars(select(Delivery)).all()
        assert [(d.channel_id, d.event, d.title, d.body) for d in deliveries] == [
            (first, "channel.disabled", "Steward: channel.disabled", "it broke")
        ]
        assert count(session, AdminNotice) == 1


def test_an_admin_notice_about_no_channel_goes_to_every_admin_channel(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        ids = [add_channel(session, for_admins=True).id for _ in range(2)]
        notify_admins(session, kind="delivery.failed", message="m", now=NOW)
        session.commit()
        assert list(session.scalars(select(Delivery.channel_id).order_by(Delivery.id))) == ids
