"""The slas service functions: calendars, SLAs, policy versions, targets, maintenance, visibility."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy import select

from pysteward.server.errors import ApiError
from pysteward.server.incidents.models import EscalationPolicy
from pysteward.server.pagination import PageParams
from pysteward.server.principal import Principal
from pysteward.server.slas import service as slas
from pysteward.server.slas.calendar import Calendar
from pysteward.server.slas.models import (
    AccountingPolicy,
    BusinessCalendar,
    Clock,
    MaintenanceKind,
    Priority,
    PriorityTarget,
    TargetUnit,
    UnknownAs,
)
from pysteward.server.slas.schemas import (
    CalendarCreate,
    CalendarUpdate,
    MaintenanceCreate,
    PolicyCreate,
    SlaCreate,
    SlaFilters,
    SlaUpdate,
    TargetSet,
)
from pysteward.server.tenancy.models import Role
from tests.server.slas.matrix import NOW, add_service, add_sla, staff, viewer

PAGE = PageParams(limit=50)


def _status(call: Callable[[], object]) -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value.status, caught.value.message


# Calendars ----------------------------------------------------------------------------------------


def test_a_calendar_is_checked_as_a_whole_and_a_bad_field_is_named(sessions, personas):
    with sessions() as session:
        bad = CalendarCreate(client_id=personas.acme, name="x", weekly_hours={"mon": [["17:00", "09:00"]]})
        status, message = _status(
            lambda: slas.create_calendar(session, principal=staff(personas), data=bad, now=NOW)
        )
        assert status == 422
        assert message.startswith("body.weekly_hours")
        row = slas.create_calendar(
            session,
            principal=staff(personas),
            data=CalendarCreate(client_id=personas.acme, name="Paris"),
            now=NOW,
        )
        assert row.weekly_hours["mon"] == [["09:00", "17:00"]]
        status, message = _status(
            lambda: slas.update_calendar(
                session,
                principal=staff(personas),
                calendar_id=row.id,
                data=CalendarUpdate(holidays=["2026-13-40"]),
            )
        )
        assert (status, message.startswith("body.holidays")) == (422, True)
        changed = slas.update_calendar(
            session,
            principal=staff(personas),
            calendar_id=row.id,
            data=CalendarUpdate(name="Paris office", holidays=["2026-12-25"]),
        )
        assert (changed.name, changed.holidays) == ("Paris office", ["2026-12-25"])


def test_provider_calendars_are_seen_by_staff_only(sessions, personas):
    with sessions() as session:
        provider = slas.create_calendar(
            session, principal=staff(personas), data=CalendarCreate(name="Provider"), now=NOW
        )
        acme = slas.create_calendar(
            session,
            principal=staff(personas),
            data=CalendarCreate(client_id=personas.acme, name="A"),
            now=NOW,
        )
        globex = slas.create_calendar(
            session,
            principal=staff(personas),
            data=CalendarCreate(client_id=personas.globex, name="G"),
            now=NOW,
        )
        seen, _ = slas.list_calendars(session, principal=viewer(personas), page=PAGE)
        assert [c.id for c in seen] == [acme.id]
        seen, _ = slas.list_calendars(session, principal=staff(personas), page=PAGE)
        assert [c.id for c in seen] == [provider.id, acme.id, globex.id]
        narrowed = Principal(
            user_id=personas["engineer"].user_id, role=Role.ENGINEER, client_id=personas.acme, via="token"
        )
        seen, _ = slas.list_calendars(session, principal=narrowed, page=PAGE)
        assert [c.id for c in seen] == [provider.id, acme.id]
        status, _ = _status(lambda: slas.get_calendar_for(session, viewer(personas), provider.id))
        assert status == 404
        status, _ = _status(lambda: slas.get_calendar_for(session, viewer(personas), globex.id))
        assert status == 404
        status, _ = _status(
            lambda: slas.create_calendar(session, principal=narrowed, data=CalendarCreate(name="P2"), now=NOW)
        )
        assert status == 403
        status, _ = _status(
            lambda: slas.create_calendar(
                session, principal=staff(personas), data=CalendarCreate(client_id=99999, name="P"), now=NOW
            )
        )
        assert status == 404


def test_a_viewer_reads_but_cannot_change_their_calendar(sessions, personas):
    with sessions() as session:
        row = slas.create_calendar(
            session,
            principal=staff(personas),
            data=CalendarCreate(client_id=personas.acme, name="A"),
            now=NOW,
        )
        assert slas.get_calendar_for(session, viewer(personas), row.id).name == "A"
        status, _ = _status(
            lambda: slas.update_calendar(
                session, principal=viewer(personas), calendar_id=row.id, data=CalendarUpdate(name="B")
            )
        )
        assert status == 403
        status, _ = _status(
            lambda: slas.delete_calendar(session, principal=viewer(personas), calendar_id=row.id)
        )
        assert status == 403
        slas.delete_calendar(session, principal=staff(personas), calendar_id=row.id)
        assert session.get(BusinessCalendar, row.id) is None


def test_an_sla_without_calendar_uses_office_hours_in_its_zone(sessions, personas):
    with sessions() as session:
        sla = add_sla(session, personas, client_id=personas.acme, timezone="Europe/Paris")
        assert slas.calendar_for(session, sla) == Calendar.office_hours("Europe/Paris")
        calendar = slas.create_calendar(
            session,
            principal=staff(personas),
            data=CalendarCreate(name="Weekends", timezone="UTC", weekly_hours={"sat": [["10:00", "12:00"]]}),
            now=NOW,
        )
        slas.update_sla(
            session, principal=staff(personas), sla_id=sla.id, data=SlaUpdate(calendar_id=calendar.id)
        )
        business = slas.calendar_for(session, sla)
        saturday = datetime(2026, 11, 14, 11, 0, tzinfo=UTC)
        assert business.is_open(saturday)
        assert not business.is_open(saturday + timedelta(days=2))


# SLAs ---------------------------------------------------------------------------------------------


def test_a_new_sla_gets_policy_version_1_and_the_default_targets(sessions, personas):
    with sessions() as session:
        service = add_service(session, personas.acme)
        sla = add_sla(session, personas, client_id=personas.acme, service_id=service.id, target="99.95")
        detail = slas.show_sla(session, principal=viewer(personas), sla_id=sla.id, now=NOW)
        assert detail.target == Decimal("99.95")
        assert (detail.policy.version, detail.policy.unknown_as, detail.policy.decimals) == (
            1,
            UnknownAs.EXCLUDE,
            3,
        )
        assert detail.policy.description
        assert detail.policy.formula
        targets = {
            t.priority: (
                t.response_amount, t.response_unit, t.response_clock,
                t.resolution_amount, t.resolution_unit, t.resolution_clock,
            )
            for t in detail.targets
        }  # fmt: skip
        minutes, hours, days = TargetUnit.MINUTES, TargetUnit.HOURS, TargetUnit.DAYS
        always, business = Clock.ALWAYS, Clock.BUSINESS
        assert targets == {
            Priority.P1: (15, minutes, always, 4, hours, always),
            Priority.P2: (1, hours, always, 8, hours, always),
            Priority.P3: (4, hours, business, 3, days, business),
            Priority.P4: (1, days, business, 10, days, business),
        }
        assert detail.maintenance == []


def test_given_targets_and_policy_replace_the_defaults(sessions, personas):
    fast = TargetSet(
        response_amount=5, response_unit=TargetUnit.MINUTES, response_clock=Clock.ALWAYS,
        resolution_amount=1, resolution_unit=TargetUnit.HOURS, resolution_clock=Clock.ALWAYS,
    )  # fmt: skip
    with sessions() as session:
        data = SlaCreate(
            client_id=personas.acme,
            name="gold",
            target=Decimal("99.99"),
            policy=PolicyCreate(unknown_as=UnknownAs.DOWN, decimals=4),
            targets={Priority.P1: fast},
        )
        sla = slas.create_sla(session, principal=staff(personas), data=data, now=NOW)
        assert sla.starts_at == NOW
        p1 = slas.target_for(session, sla_id=sla.id, priority=Priority.P1)
        assert p1 is not None
        assert (p1.response_amount, p1.response_unit) == (5, TargetUnit.MINUTES)
        p2 = slas.target_for(session, sla_id=sla.id, priority=Priority.P2)
        assert p2 is not None
        assert p2.resolution_amount == 8
        policy = slas.policy_for(session, sla, NOW)
        assert (policy.unknown_as, policy.decimals) == (UnknownAs.DOWN, 4)


def test_set_target_replaces_one_priority(sessions, personas):
    slow = TargetSet(
        response_amount=2, response_unit=TargetUnit.DAYS, response_clock=Clock.BUSINESS,
        resolution_amount=20, resolution_unit=TargetUnit.DAYS, resolution_clock=Clock.BUSINESS,
    )  # fmt: skip
    with sessions() as session:
        sla = add_sla(session, personas, client_id=personas.acme)
        row = slas.set_target(
            session, principal=staff(personas), sla_id=sla.id, priority=Priority.P4, data=slow
        )
        assert (row.response_amount, row.resolution_amount) == (2, 20)
        session.delete(row)
        session.commit()
        assert slas.target_for(session, sla_id=sla.id, priority=Priority.P4) is None
        again = slas.set_target(
            session, principal=staff(personas), sla_id=sla.id, priority=Priority.P4, data=slow
        )
        assert again.response_unit == TargetUnit.DAYS
        status, _ = _status(
            lambda: slas.set_target(
                session, principal=viewer(personas), sla_id=sla.id, priority=Priority.P4, data=slow
            )
        )
        assert status == 403


def test_links_to_other_clients_are_refused_naming_the_field(sessions, personas):
    with sessions() as session:
        foreign_service = add_service(session, personas.globex)
        foreign_calendar = BusinessCalendar(client_id=personas.globex, name="G")
        foreign_policy = EscalationPolicy(client_id=personas.globex, name="G")
        session.add_all([foreign_calendar, foreign_policy])
        session.commit()
        for field, value in (
            ("service_id", foreign_service.id),
            ("calendar_id", foreign_calendar.id),
            ("escalation_policy_id", foreign_policy.id),
            ("calendar_id", 99999),
        ):
            data = SlaCreate.model_validate(
                {"client_id": personas.acme, "name": "x", "target": "99", field: value}
            )
            status, message = _status(
                partial(slas.create_sla, session, principal=staff(personas), data=data, now=NOW)
            )
            assert (status, message.split(":")[0]) == (422, f"body.{field}")
        sla = add_sla(session, personas, client_id=personas.acme)
        status, message = _status(
            lambda: slas.update_sla(
                session,
                principal=staff(personas),
                sla_id=sla.id,
                data=SlaUpdate(calendar_id=foreign_calendar.id),
            )
        )
        assert (status, message.split(":")[0]) == (422, "body.calendar_id")


def test_a_service_or_client_has_one_sla_of_each_kind(sessions, personas):
    with sessions() as session:
        service = add_service(session, personas.acme)
        add_sla(session, personas, client_id=personas.acme, service_id=service.id)
        add_sla(session, personas, client_id=personas.acme)
        status, message = _status(
            lambda: add_sla(session, personas, client_id=personas.acme, service_id=service.id)
        )
        assert (status, message.startswith(f"service {service.id} already has an SLA")) == (409, True)
        status, message = _status(lambda: add_sla(session, personas, client_id=personas.acme))
        assert (status, "client-wide" in message) == (409, True)


def test_covering_sla_prefers_the_service_then_the_client(sessions, personas):
    with sessions() as session:
        own = add_service(session, personas.acme)
        other = add_service(session, personas.acme)
        lonely = add_service(session, personas.globex)
        assert slas.covering_sla(session, service_id=own.id) is None
        wide = add_sla(session, personas, client_id=personas.acme)
        specific = add_sla(session, personas, client_id=personas.acme, service_id=own.id)
        assert slas.covering_sla(session, service_id=own.id) == specific
        assert slas.covering_sla(session, service_id=other.id) == wide
        assert slas.covering_sla(session, service_id=lonely.id) is None


def test_update_clears_nullable_fields_and_keeps_required_ones(sessions, personas):
    with sessions() as session:
        sla = add_sla(session, personas, client_id=personas.acme)
        data = SlaUpdate.model_validate({"name": None, "target": "99.5", "page_priority": None})
        updated = slas.update_sla(session, principal=staff(personas), sla_id=sla.id, data=data)
        assert updated.name.startswith("sla ")
        assert slas.sla_public(updated).target == Decimal("99.5")
        assert updated.page_priority is None
        assert updated.ticket_priority == Priority.P4


def test_sla_lists_are_scoped_and_filtered(sessions, personas):
    with sessions() as session:
        service = add_service(session, personas.acme)
        mine = add_sla(session, personas, client_id=personas.acme, service_id=service.id)
        wide = add_sla(session, personas, client_id=personas.acme)
        theirs = add_sla(session, personas, client_id=personas.globex)
        seen, _ = slas.list_slas(session, principal=viewer(personas), filters=SlaFilters(), page=PAGE)
        assert [s.id for s in seen] == [mine.id, wide.id]
        seen, _ = slas.list_slas(
            session, principal=staff(personas), filters=SlaFilters(client_id=personas.globex), page=PAGE
        )
        assert [s.id for s in seen] == [theirs.id]
        seen, _ = slas.list_slas(
            session, principal=staff(personas), filters=SlaFilters(service_id=service.id), page=PAGE
        )
        assert [s.id for s in seen] == [mine.id]
        status, _ = _status(lambda: slas.get_sla_for(session, viewer(personas), theirs.id))
        assert status == 404
        status, _ = _status(lambda: slas.delete_sla(session, principal=viewer(personas), sla_id=mine.id))
        assert status == 403
        slas.delete_sla(session, principal=staff(personas), sla_id=mine.id)
        assert session.scalars(select(PriorityTarget).where(PriorityTarget.sla_id == mine.id)).all() == []


# Policies -----------------------------------------------------------------------------------------


def test_changing_the_policy_adds_a_version_in_effect_from_then(sessions, personas):
    with sessions() as session:
        created = datetime(2026, 1, 1, tzinfo=UTC)
        sla = add_sla(session, personas, client_id=personas.acme, now=created)
        changed_at = datetime(2026, 6, 1, tzinfo=UTC)
        v2 = slas.change_policy(
            session,
            principal=staff(personas),
            sla_id=sla.id,
            data=PolicyCreate(unknown_as=UnknownAs.UP),
            now=changed_at,
        )
        assert (v2.version, v2.effective_from, v2.created_by) == (2, changed_at, personas["admin"].user_id)
        assert slas.policy_for(session, sla, changed_at - timedelta(seconds=1)).version == 1
        assert slas.policy_for(session, sla, changed_at).version == 2
        assert slas.policy_for(session, sla, created - timedelta(days=400)).version == 1
        rows = session.scalars(select(AccountingPolicy).where(AccountingPolicy.sla_id == sla.id)).all()
        assert [(r.version, r.unknown_as) for r in rows] == [(1, UnknownAs.EXCLUDE), (2, UnknownAs.UP)]
        listed, _ = slas.list_policies(session, principal=viewer(personas), sla_id=sla.id, page=PAGE)
        assert [p.version for p in listed] == [1, 2]
        public = slas.policy_public(v2)
        assert public.version == 2
        assert public.description != slas.policy_public(rows[0]).description
        status, _ = _status(
            lambda: slas.change_policy(
                session, principal=viewer(personas), sla_id=sla.id, data=PolicyCreate(), now=NOW
            )
        )
        assert status == 403


def test_a_concurrent_policy_change_answers_409(sessions, personas):
    with sessions() as first, sessions() as second:
        sla = add_sla(first, personas, client_id=personas.acme)
        # The second writer read the same latest version before the first one committed.
        first_row = slas.change_policy(
            first, principal=staff(personas), sla_id=sla.id, data=PolicyCreate(), now=NOW
        )
        second.add(AccountingPolicy(sla_id=sla.id, version=first_row.version, effective_from=NOW))
        with pytest.raises(ApiError) as caught:
            slas._commit_or_conflict(second, "retry")
        assert caught.value.status == 409


# Maintenance --------------------------------------------------------------------------------------


def test_maintenance_windows_are_validated_listed_and_deleted(sessions, personas):
    with sessions() as session:
        sla = add_sla(session, personas, client_id=personas.acme)
        bad = MaintenanceCreate(
            title="x", kind=MaintenanceKind.CRON, starts_at=NOW, expression="not cron", duration_minutes=60
        )
        status, message = _status(
            lambda: slas.create_maintenance(
                session, principal=staff(personas), sla_id=sla.id, data=bad, now=NOW
            )
        )
        assert (status, message.startswith("body.expression")) == (422, True)
        weekly = MaintenanceCreate(
            title="patching",
            kind=MaintenanceKind.CRON,
            starts_at=NOW,
            expression="0 2 * * sun",
            duration_minutes=60,
        )
        row = slas.create_maintenance(session, principal=staff(personas), sla_id=sla.id, data=weekly, now=NOW)
        listed, _ = slas.list_maintenance(session, principal=viewer(personas), sla_id=sla.id, page=PAGE)
        assert [w.id for w in listed] == [row.id]
        detail = slas.show_sla(session, principal=viewer(personas), sla_id=sla.id, now=NOW)
        assert [w.title for w in detail.maintenance] == ["patching"]
        status, _ = _status(
            lambda: slas.delete_maintenance(
                session, principal=viewer(personas), sla_id=sla.id, window_id=row.id
            )
        )
        assert status == 403
        other = add_sla(session, personas, client_id=personas.globex)
        status, _ = _status(
            lambda: slas.delete_maintenance(
                session, principal=staff(personas), sla_id=other.id, window_id=row.id
            )
        )
        assert status == 404
        slas.delete_maintenance(session, principal=staff(personas), sla_id=sla.id, window_id=row.id)
        assert slas.list_maintenance(session, principal=staff(personas), sla_id=sla.id, page=PAGE) == (
            [],
            None,
        )
