"""The incident lifecycle and its SLA timers, with a frozen clock, on both databases.

The world's SLA runs business-clock targets on Paris office hours (Monday to Friday 09:00–17:00,
CET in early March 2030, so 09:00 Paris is 08:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.incidents import service as incidents
from pysteward.server.incidents.models import (
    Breach,
    Incident,
    IncidentEvent,
    IncidentSource,
    IncidentStatus,
    TimerState,
)
from pysteward.server.incidents.reading import incident_public
from pysteward.server.slas.models import Priority
from tests.runner.factories import open_session
from tests.server.incidents.factories import World, make_world

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Paris wall-clock time in 2030, as an aware UTC datetime."""
    return datetime(2030, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def _open(session: Session, world: World, priority: Priority, at: datetime) -> Incident:
    incident = incidents.open_incident(
        session,
        client_id=world.client_id,
        service_id=world.service_id,
        priority=priority,
        title="checkout fails",
        source=IncidentSource.MANUAL,
        now=at,
    )
    session.commit()
    return incident


def _kinds(session: Session, incident: Incident) -> list[str]:
    query = (
        select(IncidentEvent.kind).where(IncidentEvent.incident_id == incident.id).order_by(IncidentEvent.id)
    )
    return list(session.scalars(query))


def test_a_p3_opened_on_friday_afternoon_is_due_on_business_time_after_the_weekend(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = _open(session, world, Priority.P3, paris(8, 15))  # Friday 15:00
        assert incident.sla_id == world.sla_id
        # 4 business hours: Friday 15–17, then Monday 09–11.
        assert incident.response_due_at == paris(11, 11)
        assert incident.response_warn_at == paris(11, 10)
        # 3 business days: Wednesday at the same business time of day.
        assert incident.resolution_due_at == paris(13, 15)
        assert incident.response_state is TimerState.RUNNING
        assert _kinds(session, incident) == ["opened"]


def test_a_p1_runs_around_the_clock(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        start = paris(9, 23)  # Saturday night
        incident = _open(session, world, Priority.P1, start)
        assert incident.response_due_at == start + timedelta(minutes=15)
        assert incident.resolution_due_at == start + timedelta(hours=4)
        assert incident.resolution_warn_at == start + timedelta(hours=3)


def test_a_holiday_is_skipped_by_business_targets(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session, holidays=["2030-03-11"])  # the Monday
        incident = _open(session, world, Priority.P3, paris(8, 15))
        assert incident.response_due_at == paris(12, 11)


def test_an_incident_without_an_sla_has_no_timers(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session, with_sla=False)
        incident = _open(session, world, Priority.P1, paris(8, 15))
        assert incident.sla_id is None
        assert incident.response_state is TimerState.NONE
        assert incident.resolution_due_at is None
        shown = incident_public(session, incident, now=paris(8, 16))
        assert shown.response.remaining_seconds is None


def test_acknowledging_in_time_meets_the_response_target_and_records_who(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = _open(session, world, Priority.P2, paris(8, 15))
        done = incidents.acknowledge(
            session, principal=world.engineer, incident_id=incident.id, now=paris(8, 15, 40)
        )
        assert done.status is IncidentStatus.ACKNOWLEDGED
        assert done.response_state is TimerState.MET
        assert done.assignee_id == world.engineer.user_id
        with pytest.raises(ApiError) as error:
            incidents.acknowledge(
                session, principal=world.engineer, incident_id=incident.id, now=paris(8, 16)
            )
        assert (error.value.status, error.value.message) == (
            409,
            f"incident {incident.id} is acknowledged: cannot acknowledge it",
        )


def test_acknowledging_late_misses_the_target_and_records_a_breach(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = _open(session, world, Priority.P2, paris(8, 15))
        done = incidents.acknowledge(
            session, principal=world.engineer, incident_id=incident.id, now=paris(8, 16, 30)
        )
        assert done.response_state is TimerState.MISSED
        breach = session.scalars(select(Breach)).one()
        assert (breach.target, breach.due_at, breach.breached_at) == (
            "response",
            paris(8, 16),
            paris(8, 16, 30),
        )


def test_a_pause_stops_the_resolution_clock_and_moves_the_due_time_by_its_length(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        start = paris(8, 10)
        incident = _open(session, world, Priority.P2, start)  # 8 h around the clock
        incidents.pause(
            session,
            principal=world.engineer,
            incident_id=incident.id,
            reason="waiting for logs",
            now=start + timedelta(hours=1),
        )
        paused = incident_public(session, incident, now=start + timedelta(hours=5))
        assert paused.resolution.paused
        assert paused.resolution.remaining_seconds == 7 * 3600  # frozen at the pause
        resumed = incidents.resume(
            session, principal=world.engineer, incident_id=incident.id, now=start + timedelta(hours=3)
        )
        assert resumed.resolution_due_at == start + timedelta(hours=10)
        assert resumed.paused_since is None
        assert _kinds(session, incident) == ["opened", "paused", "resumed"]


def test_a_pause_over_the_weekend_moves_a_business_due_time_by_business_time_only(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = _open(session, world, Priority.P3, paris(8, 15))  # due Wednesday 15:00
        incidents.pause(
            session, principal=world.engineer, incident_id=incident.id, reason="", now=paris(8, 16)
        )
        # Paused Friday 16:00 to Monday 10:00: 1 h Friday + 1 h Monday of business time.
        resumed = incidents.resume(
            session, principal=world.engineer, incident_id=incident.id, now=paris(11, 10)
        )
        assert resumed.resolution_due_at == paris(13, 17)


def test_a_pause_after_the_due_time_does_not_undo_a_breach(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        start = paris(8, 10)
        incident = _open(session, world, Priority.P1, start)  # resolution due 14:00
        incidents.pause(
            session,
            principal=world.engineer,
            incident_id=incident.id,
            reason="",
            now=start + timedelta(hours=5),
        )
        resumed = incidents.resume(
            session, principal=world.engineer, incident_id=incident.id, now=start + timedelta(hours=6)
        )
        assert resumed.resolution_due_at == start + timedelta(hours=4)


def test_resolving_in_time_meets_the_target_and_late_misses_it(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        start = paris(8, 10)
        quick = _open(session, world, Priority.P1, start)
        slow = _open(session, world, Priority.P1, start)
        incidents.resolve(
            session,
            principal=world.engineer,
            incident_id=quick.id,
            note="fixed",
            now=start + timedelta(hours=2),
        )
        incidents.resolve(
            session,
            principal=world.engineer,
            incident_id=slow.id,
            note="fixed",
            now=start + timedelta(hours=5),
        )
        assert quick.resolution_state is TimerState.MET
        assert slow.resolution_state is TimerState.MISSED
        targets = session.scalars(select(Breach.target).where(Breach.incident_id == slow.id)).all()
        assert sorted(targets) == ["resolution", "response"]


def test_resolving_a_paused_incident_ends_its_pause(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        start = paris(8, 10)
        incident = _open(session, world, Priority.P2, start)
        incidents.pause(session, principal=world.engineer, incident_id=incident.id, reason="", now=start)
        done = incidents.resolve(
            session,
            principal=world.engineer,
            incident_id=incident.id,
            note="",
            now=start + timedelta(hours=20),
        )
        assert done.paused_since is None
        assert done.resolution_state is TimerState.MET


def test_reopening_counts_the_resolved_span_as_a_pause_and_triggers_again(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        start = paris(8, 10)
        incident = _open(session, world, Priority.P2, start)
        incidents.acknowledge(session, principal=world.engineer, incident_id=incident.id, now=start)
        incidents.resolve(
            session,
            principal=world.engineer,
            incident_id=incident.id,
            note="",
            now=start + timedelta(hours=2),
        )
        again = incidents.reopen(
            session,
            principal=world.engineer,
            incident_id=incident.id,
            reason="back",
            now=start + timedelta(hours=5),
        )
        assert again.status is IncidentStatus.TRIGGERED
        assert again.resolved_at is None
        assert again.resolution_due_at == start + timedelta(hours=11)
        assert again.resolution_state is TimerState.RUNNING
        assert again.response_state is TimerState.MET
        with pytest.raises(ApiError):
            incidents.reopen(session, principal=world.engineer, incident_id=incident.id, reason="", now=start)


def test_a_new_priority_retimes_the_incident_from_its_opening(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        start = paris(8, 15)
        incident = _open(session, world, Priority.P3, start)
        changed = incidents.update_incident(
            session,
            principal=world.engineer,
            incident_id=incident.id,
            changes={"priority": Priority.P1},
            now=start + timedelta(minutes=5),
        )
        assert changed.response_due_at == start + timedelta(minutes=15)
        incidents.update_incident(
            session,
            principal=world.engineer,
            incident_id=incident.id,
            changes={"title": "checkout down"},
            now=start + timedelta(minutes=6),
        )
        assert _kinds(session, incident)[-2:] == ["priority_changed", "edited"]
        assert changed.title == "checkout down"


def test_conflicting_actions_answer_409(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = _open(session, world, Priority.P2, paris(8, 10))
        with pytest.raises(ApiError, match="is not paused"):
            incidents.resume(session, principal=world.engineer, incident_id=incident.id, now=paris(8, 11))
        incidents.pause(
            session, principal=world.engineer, incident_id=incident.id, reason="", now=paris(8, 11)
        )
        with pytest.raises(ApiError, match="already paused"):
            incidents.pause(
                session, principal=world.engineer, incident_id=incident.id, reason="", now=paris(8, 12)
            )
        incidents.resolve(
            session, principal=world.engineer, incident_id=incident.id, note="", now=paris(8, 13)
        )
        with pytest.raises(ApiError, match="is resolved: cannot pause"):
            incidents.pause(
                session, principal=world.engineer, incident_id=incident.id, reason="", now=paris(8, 14)
            )


def test_a_viewer_reads_but_cannot_act_and_another_client_sees_nothing(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = _open(session, world, Priority.P2, paris(8, 10))
        assert incidents.get_incident_for(session, world.viewer, incident.id).id == incident.id
        with pytest.raises(ApiError) as error:
            incidents.acknowledge(session, principal=world.viewer, incident_id=incident.id, now=paris(8, 11))
        assert error.value.status == 403
        stranger = type(world.viewer)(
            user_id=world.viewer.user_id, role=world.viewer.role, client_id=world.client_id + 100, via="token"
        )
        with pytest.raises(ApiError) as hidden:
            incidents.comment(
                session, principal=stranger, incident_id=incident.id, message="hi", now=paris(8, 11)
            )
        assert hidden.value.status == 404


def test_only_provider_users_can_be_assigned(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = _open(session, world, Priority.P2, paris(8, 10))
        with pytest.raises(ApiError, match="assignee_id"):
            incidents.assign(
                session,
                principal=world.engineer,
                incident_id=incident.id,
                assignee_id=world.viewer.user_id,
                now=paris(8, 11),
            )
        done = incidents.assign(
            session,
            principal=world.engineer,
            incident_id=incident.id,
            assignee_id=world.engineer.user_id,
            now=paris(8, 11),
        )
        assert done.assignee_id == world.engineer.user_id
        unassigned = incidents.assign(
            session, principal=world.engineer, incident_id=incident.id, assignee_id=None, now=paris(8, 12)
        )
        assert unassigned.assignee_id is None


def test_the_public_view_shows_business_time_left_and_the_share_used(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = _open(session, world, Priority.P3, paris(8, 15))
        shown = incident_public(session, incident, now=paris(8, 17))  # 2 of 4 business hours used
        assert shown.response.remaining_seconds == 2 * 3600
        assert shown.response.used_percent == 50.0
        overdue = incident_public(session, incident, now=paris(11, 12))
        assert overdue.response.remaining_seconds == -3600


def test_the_local_operator_acts_without_being_recorded_as_a_user(engine: Engine) -> None:
    with open_session(engine) as session:
        world = make_world(session)
        incident = _open(session, world, Priority.P2, paris(8, 10))
        local = type(world.engineer)(user_id=0, role=world.engineer.role, client_id=None, via="local")
        done = incidents.acknowledge(session, principal=local, incident_id=incident.id, now=paris(8, 11))
        assert done.assignee_id is None
        event = session.scalars(select(IncidentEvent).where(IncidentEvent.kind == "acknowledged")).one()
        assert event.actor_id is None
