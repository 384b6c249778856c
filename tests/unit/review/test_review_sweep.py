"""review_sweep: recommendations reach their supervisor and role recipients once, escalate, expire."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from functions.review_sweep.handler import handler
from plexlabor.approval.digest import EmailContent
from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.approval.display import Reader
from plexlabor.audit import AuditEvent, AuditEventType
from plexlabor.review.notices import compose_notice
from plexlabor.review.queue import ReviewQueue, Role
from plexlabor.review.sweep import ReviewSweep
from tests.support import load_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import closed, finding_event, recommendation

WAIT = timedelta(hours=8)
PLANNERS = ("planning@plant.example",)
HR = ("hr@plant.example",)


class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, EmailContent]] = []
        self.failing: set[str] = set()

    def send_email(self, address: str, content: EmailContent) -> str | None:
        if address in self.failing:
            raise ConnectionError(f"cannot deliver to {address}")
        self.sent.append((address, content))
        return f"mail-{len(self.sent)}"

    def to(self, address: str) -> list[EmailContent]:
        return [content for to, content in self.sent if to == address]


def suggest(
    world: World,
    item_id: str,
    kind: str,
    supervisor_id: str | None = "E0001",
    note: str = "",
    employee_id: str | None = None,
) -> None:
    recommendation(world, item_id, kind, supervisor_id=supervisor_id, employee_id=employee_id, note=note or None)


def sweep(
    world: World, mailer: RecordingMailer, managers: dict[str, str] | None = None, *, roles: bool = True
) -> ReviewSweep:
    return ReviewSweep(
        queue=ReviewQueue(world.audit, clock=world.clock),
        audit=world.audit,
        directory=world.directory,
        mailer=mailer,
        queue_url="https://app.example/prod/queue",
        wait=WAIT,
        role_addresses={Role.PLANNER: PLANNERS, Role.HR: HR} if roles else {},
        managers=lambda: managers or {},
        clock=world.clock,
    )


def of_type(world: World, item_id: str, kind: AuditEventType) -> list[AuditEvent]:
    return [e for e in world.audit.for_finding(item_id) if e.event_type is kind]


@pytest.fixture
def world() -> World:
    world = World()
    suggest(world, "crew-1", "crew_assignment")
    suggest(world, "crew-2", "crew_assignment")
    suggest(world, "cert-1", "certification_expiring")
    finding_event(world, "f-000000000000000000000001", confidence=0.9, severity="high")
    return world


def test_each_recipient_gets_one_notice_grouped_by_kind_and_nothing_twice(world: World) -> None:
    mailer = RecordingMailer()

    first = sweep(world, mailer).run()

    # the supervisor hears of all three in one mail; planners of the crew, HR of the certificate
    [to_supervisor] = mailer.to("sup1@plant.example")
    assert "3 new suggestions for your review" in to_supervisor.subject
    assert "Crew assignment: 2" in to_supervisor.text and "Certification expiring: 1" in to_supervisor.text
    assert "https://app.example/prod/queue?kind=crew_assignment" in to_supervisor.text
    [to_planners] = mailer.to(PLANNERS[0])
    assert "Crew assignment: 2" in to_planners.text and "Certification" not in to_planners.text
    [to_hr] = mailer.to(HR[0])
    assert "Certification expiring: 1" in to_hr.text and "Crew" not in to_hr.text
    assert (first.notified, first.mails, first.escalated, first.expired) == (6, 3, 0, 0)
    # the punch finding has its own workflow
    assert not any("f-0000" in content.text for _, content in mailer.sent)
    recipients = {e.payload["recipient"] for e in of_type(world, "crew-1", AuditEventType.NOTIFICATION)}
    assert recipients == {"E0001", "planner"}

    again = sweep(world, mailer).run()
    assert (again.mails, again.notified) == (0, 0) and len(mailer.sent) == 3


def test_unanswered_items_escalate_to_the_supervisors_supervisor_then_expire(world: World) -> None:
    mailer = RecordingMailer()
    sweep(world, mailer, {"E0001": "E0100"}).run()

    world.clock.advance(hours=8)
    escalation = sweep(world, mailer, {"E0001": "E0100"}).run()

    [to_boss] = mailer.to("boss@plant.example")
    assert "escalated to you" in to_boss.subject and escalation.escalated == 3
    [escalated] = of_type(world, "crew-1", AuditEventType.ESCALATED)
    assert escalated.supervisor_id == "E0100" and escalated.payload["from_supervisor_id"] == "E0001"

    world.clock.advance(hours=8)
    expiry = sweep(world, mailer, {"E0001": "E0100"}).run()
    assert expiry.expired == 3
    [expired] = of_type(world, "cert-1", AuditEventType.EXPIRED)
    assert expired.payload["stages"] == ["escalated", "first"]
    assert [i.item_id for i in ReviewQueue(world.audit, clock=world.clock).open_items()] == [
        "f-000000000000000000000001"
    ]


def test_without_anyone_to_escalate_to_an_item_expires_after_the_first_wait(world: World) -> None:
    mailer = RecordingMailer()
    sweep(world, mailer).run()
    world.clock.advance(hours=7)
    assert sweep(world, mailer).run().expired == 0
    world.clock.advance(hours=1)
    assert sweep(world, mailer).run().expired == 3


def test_a_decided_item_is_neither_notified_nor_escalated(world: World) -> None:
    closed(world, "crew-2")
    mailer = RecordingMailer()
    sweep(world, mailer).run()
    assert of_type(world, "crew-2", AuditEventType.NOTIFICATION) == []
    assert "Crew assignment: 1" in mailer.to(PLANNERS[0])[0].text


def test_a_notice_that_cannot_be_sent_is_sent_on_the_next_run(world: World) -> None:
    mailer = RecordingMailer()
    mailer.failing.add(HR[0])

    result = sweep(world, mailer).run()

    assert result.unsent == 1 and mailer.to(HR[0]) == []
    assert {e.payload["recipient"] for e in of_type(world, "cert-1", AuditEventType.NOTIFICATION)} == {"E0001"}
    mailer.failing.clear()
    assert sweep(world, mailer).run().notified == 1 and len(mailer.to(HR[0])) == 1


def test_a_notice_whose_events_are_refused_is_counted_unsent_and_told_again(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    mailer = RecordingMailer()
    append = world.audit.append

    def refuse_crew_1(event: AuditEvent) -> None:
        if event.finding_id == "crew-1" and event.event_type is AuditEventType.NOTIFICATION:
            raise ConnectionError("the audit table did not answer")
        append(event)

    monkeypatch.setattr(world.audit, "append", refuse_crew_1)
    with caplog.at_level(logging.ERROR):
        result = sweep(world, mailer).run()

    # crew-1 went to the supervisor and the planners: both sendings unrecorded, the other four recorded
    assert (result.mails, result.notified, result.unsent) == (3, 4, 2)
    assert of_type(world, "crew-1", AuditEventType.NOTIFICATION) == []
    assert caplog.text.count("notification not recorded") == 2
    monkeypatch.setattr(world.audit, "append", append)
    again = sweep(world, mailer).run()
    assert (again.mails, again.notified, again.unsent) == (2, 2, 0)
    assert {e.payload["recipient"] for e in of_type(world, "crew-1", AuditEventType.NOTIFICATION)} == {
        "E0001",
        "planner",
    }


def test_an_item_nobody_can_be_told_about_is_counted_and_expires(world: World) -> None:
    suggest(world, "var-1", "labor_variance", supervisor_id=None)
    mailer = RecordingMailer()
    lonely = sweep(world, mailer, roles=False)
    assert lonely.run().unrouted == 1
    world.clock.advance(hours=8)
    lonely.run()
    assert len(of_type(world, "var-1", AuditEventType.EXPIRED)) == 1


def test_an_incident_coding_waits_in_the_queue_until_it_is_decided(world: World) -> None:
    suggest(world, "inc-1", "incident_coding", supervisor_id=None)
    lonely = sweep(world, RecordingMailer(), roles=False)
    world.clock.advance(hours=30)
    result = lonely.run()  # the EHS lead's digest tells of it (test_review_sweep_incidents), not the queue's notices
    assert (result.unrouted, result.expired) == (0, 0) and lonely.run().expired == 0
    assert of_type(world, "inc-1", AuditEventType.EXPIRED) == []
    assert "inc-1" in {i.item_id for i in ReviewQueue(world.audit, clock=world.clock).open_items()}


def test_the_notice_escapes_notes_and_says_how_many_more(world: World) -> None:
    for number in range(7):
        suggest(world, f"crew-x{number}", "crew_assignment", note=f"<b>note {number}</b>")
    items = [i for i in ReviewQueue(world.audit, clock=world.clock).open_items() if i.kind == "crew_assignment"]

    content = compose_notice(items, "https://app.example/prod/queue", Reader())

    assert "Crew assignment: 9" in content.text and "and 4 more" in content.text
    assert "<b>note" not in content.html and "&lt;b&gt;note" in content.html


def test_the_handler_runs_the_sweep_and_returns_counts(world: World, lambda_context: Any) -> None:
    result = handler(load_event("review_sweep"), lambda_context, dependencies=sweep(world, RecordingMailer()))
    assert result == {"notified": 6, "escalated": 0, "expired": 0, "mails": 3, "unsent": 0, "unrouted": 0}


def test_notices_name_people_as_each_recipients_role_may_see_them(world: World) -> None:
    suggest(world, "crew-9", "crew_assignment", note="Suggest E0042 on WC-10 (8.0 h, shift 1)", employee_id="E0042")
    people = StaticPeopleDirectory([Person(employee_id="E0042", number="00042", name="Dana Smith")])
    mailer = RecordingMailer()
    named = sweep(world, mailer)
    named.reader = Reader(people=PeopleDisplay(people, frozenset({"supervisor"})))

    named.run()

    assert "Suggest Dana Smith (00042) on WC-10" in mailer.to("sup1@plant.example")[0].text
    assert "Suggest 00042 on WC-10" in mailer.to(PLANNERS[0])[0].text  # planners see numbers only


def test_the_notice_says_it_counts_what_is_new_for_its_reader_not_the_queue(world: World) -> None:
    # ux104 #22: a digest of 24 beside a queue of 157; the notice counts the items addressed to its reader
    # (or their role) and not mailed before, the queue every open item they may decide (their departments',
    # those told about before, punch findings): the mail says so
    mailer = RecordingMailer()
    sweep(world, mailer).run()

    [to_supervisor] = mailer.to("sup1@plant.example")
    assert to_supervisor.subject.endswith("3 new suggestions for your review")
    for text in (to_supervisor.text, to_supervisor.html):
        assert "3 suggestions are new for you since the last notice" in text
        assert "addressed to you or to your role, and not in an earlier notice" in text
        assert "so it can show more" in text and "punch findings" in text and "your departments" in text


def test_a_crew_seat_expires_when_its_time_is_over(world: World) -> None:
    # ux141 #5: seats 3 hours and 15 days over were still offered and accepted
    now = world.clock()
    recommendation(
        world, "crew-ended", "crew_assignment", employee_id="E0042", end=(now - timedelta(hours=3)).isoformat()
    )
    recommendation(world, "crew-later", "crew_assignment", end=(now + timedelta(hours=2)).isoformat())
    assert sweep(world, RecordingMailer()).run().expired == 1
    [expiry] = of_type(world, "crew-ended", AuditEventType.EXPIRED)
    assert expiry.payload["ended"] == (now - timedelta(hours=3)).isoformat()
    assert of_type(world, "crew-later", AuditEventType.EXPIRED) == []
    world.clock.advance(hours=2)
    assert sweep(world, RecordingMailer()).run().expired == 1


def test_an_overtime_projection_expires_when_its_week_is_over_in_plant_time(world: World) -> None:
    """ux_s17 M4: a projection still waited on the last day of its week, and would after it."""
    from dataclasses import replace
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    detroit = ZoneInfo("America/Detroit")
    # Given the projections of the week of Mon 2026-02-23 (over) and of Mon 2026-03-02 (under way), Detroit's
    # Mondays 00:00; the clock on Tue 2026-03-03
    for item_id, monday in (("ot-last-week", datetime(2026, 2, 23)), ("ot-this-week", datetime(2026, 3, 2))):
        start = monday.replace(tzinfo=detroit).astimezone(UTC).isoformat()
        recommendation(world, item_id, "overtime_projection", department="ASSY", week_start=start)
    plant = replace(sweep(world, RecordingMailer()), reader=Reader(zone=detroit))
    # When the sweep runs, Then last week's expires, saying when its week ended; this week's waits
    assert plant.run().expired == 1
    [expiry] = of_type(world, "ot-last-week", AuditEventType.EXPIRED)
    assert datetime.fromisoformat(expiry.payload["ended"]) == datetime(2026, 3, 2, tzinfo=detroit)
    assert of_type(world, "ot-this-week", AuditEventType.EXPIRED) == []
    # and a projection of that week published late on Sunday expires at Monday 00:00 plant time: 04:00 UTC, daylight
    # saving having begun on Sunday 03-08 (05:00 UTC is a week after its start)
    world.clock.now = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)
    start = datetime(2026, 3, 2, tzinfo=detroit).astimezone(UTC).isoformat()
    recommendation(world, "ot-sunday", "overtime_projection", department="ASSY", week_start=start)
    world.clock.now = datetime(2026, 3, 9, 3, 59, tzinfo=UTC)
    plant.run()
    assert of_type(world, "ot-sunday", AuditEventType.EXPIRED) == []
    world.clock.now = datetime(2026, 3, 9, 4, 1, tzinfo=UTC)
    plant.run()
    [expiry] = of_type(world, "ot-sunday", AuditEventType.EXPIRED)
    assert datetime.fromisoformat(expiry.payload["ended"]) == datetime(2026, 3, 9, 4, tzinfo=UTC)


def test_a_removal_from_plex_still_waiting_expires_at_its_seats_end(world: World) -> None:
    # review_s14 L10: a removal (an accepted seat whose person called off) waited past its seat's end, and approved
    # later it withdrew a past seat's assignment from Plex
    now = world.clock()
    recommendation(
        world, "removal-ended", "crew_removal", employee_id="E0042", end=(now - timedelta(hours=1)).isoformat()
    )
    recommendation(
        world, "removal-later", "crew_removal", employee_id="E0042", end=(now + timedelta(hours=2)).isoformat()
    )

    assert sweep(world, RecordingMailer()).run().expired == 1

    [expiry] = of_type(world, "removal-ended", AuditEventType.EXPIRED)
    assert expiry.payload["ended"] == (now - timedelta(hours=1)).isoformat()
    assert of_type(world, "removal-later", AuditEventType.EXPIRED) == []


def test_an_empty_seat_without_an_end_expires_at_its_start_plus_its_hours(world: World) -> None:
    # review 155 R5: crew_unstaffed items published before their `end` was recorded carry start and hours only
    now = world.clock()
    start = now - timedelta(hours=5)
    recommendation(world, "empty-over", "crew_unstaffed", start=start.isoformat(), hours=4.0)
    recommendation(world, "empty-later", "crew_unstaffed", start=start.isoformat(), hours=6.0)
    assert sweep(world, RecordingMailer()).run().expired == 1
    [expiry] = of_type(world, "empty-over", AuditEventType.EXPIRED)
    assert expiry.payload["ended"] == (start + timedelta(hours=4)).isoformat()
    assert of_type(world, "empty-later", AuditEventType.EXPIRED) == []
