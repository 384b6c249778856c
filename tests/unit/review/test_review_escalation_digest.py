"""One escalation mail per person per sweep (ux164 #15: Ben Hughes got nine escalation mails in a minute, one per
finding, as each finding's wait ran out on its own): approval_notify mails the first escalation to a person with
its signed link and holds the next ones for review_sweep, which mails them in one digest."""

from __future__ import annotations

import pytest

from plexlabor.approval.messages import Stage
from plexlabor.approval.notified import ESCALATION_HOLD, HELD
from plexlabor.audit import AuditEventType
from tests.support import make_finding, make_request
from tests.unit.approval.approval_fakes import World, notice
from tests.unit.review.review_world import open_finding
from tests.unit.review.test_review_sweep import RecordingMailer, sweep

BOSS = "boss@plant.example"


def _findings(world: World, count: int) -> list[str]:
    """`count` open punch findings of supervisor E0001, who reports to E0100; their ids."""
    ids = []
    for n in range(1, count + 1):
        finding = make_finding(finding_id=f"f-{n:024d}", record_key=f"time-clock-entries:T{n:04d}")
        open_finding(world, finding)
        ids.append(finding.finding_id)
    return ids


def _escalate_one_by_one(world: World, ids: list[str], wait_seconds: int = 8 * 3600) -> None:
    """Each finding's first wait runs out a few seconds after the last: one notify batch each."""
    for n, finding_id in enumerate(ids):
        request = make_request(make_finding(finding_id=finding_id, record_key=f"time-clock-entries:T{n + 1:04d}"))
        request = request.model_copy(update={"escalation_supervisor_id": "E0100", "wait_seconds": wait_seconds})
        world.notified(notice(request, stage=Stage.ESCALATED, token=f"task-e{n}"))
        world.clock.advance(seconds=7)


def _events(world: World, finding_id: str, kind: AuditEventType) -> list[dict[str, object]]:
    return [e.payload for e in world.audit.for_finding(finding_id) if e.event_type is kind]


@pytest.mark.parametrize("wait_seconds", [8 * 3600, 300], ids=["default 8 h wait", "local runtime's 300 s"])
def test_a_burst_of_escalations_is_one_mail_with_its_link_then_one_digest_per_sweep(wait_seconds: int) -> None:
    world = World()
    ids = _findings(world, 6)
    # When six findings escalate to E0100 within a minute, each in its own batch, whatever their wait
    _escalate_one_by_one(world, ids, wait_seconds)
    # Then approval_notify mails the first alone (its signed link), and holds the five others
    assert [(d.supervisor_id, len(d.items)) for d in world.notifier.sent] == [("E0100", 1)]
    for finding_id in ids[1:]:
        assert _events(world, finding_id, AuditEventType.ESCALATED) == [{"from_supervisor_id": "E0001", "mail": HELD}]
        assert _events(world, finding_id, AuditEventType.NOTIFICATION) == []
        assert [p.stage for p in world.tokens.for_finding(finding_id)] == [Stage.ESCALATED]  # decidable in the queue
    # and one is decided in the queue meanwhile
    world.callback.decide_in_queue(ids[1], "approve", None, "E0100")
    # When the sweep runs, twice
    mailer = RecordingMailer()
    first, second = sweep(world, mailer).run(), sweep(world, mailer).run()
    # Then E0100 gets one mail listing the four still open, escalated, with the queue link; the second run sends none
    [mail] = mailer.to(BOSS)
    assert mail.subject == "[plexlabor] 4 labor findings escalated to you"
    assert "https://app.example/prod/queue?kind=punch_finding" in mail.text
    for finding_id in ids[2:]:  # each with its page in the web app, the employee named
        assert f"   review: https://app.example/prod/items/{finding_id}" in mail.text
    assert mail.text.count("Missed punch, E0002") == 4 and "No clock-out 14 h" in mail.text
    assert (first.mails, first.escalated, second.mails) == (1, 4, 0)
    for finding_id in ids[2:]:
        [told] = _events(world, finding_id, AuditEventType.NOTIFICATION)
        assert told["stage"] == "escalated" and told["recipient"] == "E0100"
    assert _events(world, ids[1], AuditEventType.NOTIFICATION) == []  # decided: not in the digest


def test_an_escalation_after_the_hold_is_mailed_at_once_again() -> None:
    world = World()
    ids = _findings(world, 2)
    _escalate_one_by_one(world, ids[:1])
    world.clock.advance(seconds=ESCALATION_HOLD.total_seconds())
    _escalate_one_by_one(world, ids[1:])
    assert [(d.supervisor_id, len(d.items)) for d in world.notifier.sent] == [("E0100", 1), ("E0100", 1)]
    assert _events(world, ids[1], AuditEventType.ESCALATED) == [{"from_supervisor_id": "E0001"}]


def test_an_escalation_after_the_earlier_mails_link_expired_is_mailed_at_once() -> None:
    """A short wait (the local runtime's 300 s) is held as a long one, but only while the earlier mail's link works."""
    world = World()
    ids = _findings(world, 2)
    _escalate_one_by_one(world, ids[:1], wait_seconds=300)
    world.clock.advance(seconds=300)
    _escalate_one_by_one(world, ids[1:], wait_seconds=300)
    assert [(d.supervisor_id, len(d.items)) for d in world.notifier.sent] == [("E0100", 1), ("E0100", 1)]
    assert _events(world, ids[1], AuditEventType.ESCALATED) == [{"from_supervisor_id": "E0001"}]


def test_escalations_of_one_batch_are_one_mail_and_first_notices_are_never_held() -> None:
    world = World()
    ids = _findings(world, 3)
    _escalate_one_by_one(world, ids[:1])
    requests = [
        make_request(make_finding(finding_id=finding_id, record_key=f"time-clock-entries:T{n + 2:04d}"))
        for n, finding_id in enumerate(ids[1:])
    ]
    # a first notice to E0100 (one of their own people) beside a held escalation, in one batch
    world.notified(
        notice(requests[0].model_copy(update={"escalation_supervisor_id": "E0100"}), Stage.ESCALATED, "task-x"),
        notice(requests[1].model_copy(update={"supervisor_id": "E0100"}), token="task-y"),
    )
    assert [(d.supervisor_id, [i.stage for i in d.items]) for d in world.notifier.sent] == [
        ("E0100", [Stage.ESCALATED]),
        ("E0100", [Stage.FIRST]),
    ]


def test_a_busy_quarter_hour_does_not_undo_the_hold() -> None:
    """review_s13 #6: the hold read the plant's `notified` events oldest first, 100 at most: after more than 100
    notices in the quarter hour it saw no escalation mail and mailed every escalation again."""
    world = World()
    ids = _findings(world, 103)
    busy, escalating = ids[:101], ids[101:]
    for n, finding_id in enumerate(busy):  # 101 first notices to E0001 in the same quarter hour
        request = make_request(make_finding(finding_id=finding_id, record_key=f"time-clock-entries:T{n + 1:04d}"))
        world.notified(notice(request, token=f"task-f{n}"))
    world.clock.advance(seconds=30)
    firsts = len(world.notifier.sent)
    _escalate_one_by_one(world, escalating)
    assert [d.supervisor_id for d in world.notifier.sent[firsts:]] == ["E0100"]  # the second one held
    assert _events(world, escalating[1], AuditEventType.ESCALATED) == [{"from_supervisor_id": "E0001", "mail": HELD}]


def test_the_sweeps_digest_of_held_escalations_holds_the_next_escalation_too() -> None:
    """review_s13 L2: a person mailed the sweep's digest of held escalations a minute ago is not mailed
    approval_notify's next escalation at once (two mails in one sweep): it waits for the next digest."""
    world = World()
    ids = _findings(world, 3)
    _escalate_one_by_one(world, ids[:2])  # the first mailed with its link, the second held
    world.clock.advance(seconds=ESCALATION_HOLD.total_seconds())  # approval_notify's mail is out of the hold
    mailer = RecordingMailer()
    assert sweep(world, mailer).run().mails == 1  # the digest of the held one
    world.clock.advance(seconds=60)
    _escalate_one_by_one(world, ids[2:])
    assert len(world.notifier.sent) == 1  # approval_notify mailed the first escalation only
    assert _events(world, ids[2], AuditEventType.ESCALATED) == [{"from_supervisor_id": "E0001", "mail": HELD}]
    world.clock.advance(seconds=ESCALATION_HOLD.total_seconds())
    sweep(world, mailer).run()
    [_, second] = mailer.to(BOSS)  # the next sweep's digest tells of it
    assert f"/items/{ids[2]}" in second.text


def test_the_digest_is_not_sent_again_when_the_plants_notices_pass_the_read_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """review_s13 L3: whether a held escalation was told of was read from the plant's `notified` events of 30 days,
    oldest first and capped (50,000): in a plant past the cap the digest's own notices fell off, and every sweep
    mailed the same digest again. The cap made small here to show it (it is gone: the digest reads each escalated
    finding's own events)."""
    monkeypatch.setattr("plexlabor.review.escalations.READ_LIMIT", 3, raising=False)
    world = World()
    ids = _findings(world, 5)
    for n, finding_id in enumerate(ids[2:], start=3):  # three first notices before anything escalates
        request = make_request(make_finding(finding_id=finding_id, record_key=f"time-clock-entries:T{n:04d}"))
        world.notified(notice(request, token=f"task-f{n}"))
    _escalate_one_by_one(world, ids[:2])  # the first mailed, the second held
    mailer = RecordingMailer()
    first, second = sweep(world, mailer).run(), sweep(world, mailer).run()
    assert (first.mails, second.mails) == (1, 0)
    assert len(mailer.to(BOSS)) == 1


def test_the_newest_held_escalations_are_in_the_digest_when_the_plants_escalations_pass_the_read_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """review_s13 L3: the held escalations were read from the plant's `escalated` events of 30 days, oldest first and
    capped (50,000): past the cap the newest, those the digest is for, fell off and were never mailed. The cap made
    small here (it is gone: the open findings the queue shows escalated are each read from their own events)."""
    monkeypatch.setattr("plexlabor.review.escalations.READ_LIMIT", 3, raising=False)
    world = World()
    ids = _findings(world, 5)
    _escalate_one_by_one(world, ids)  # the first mailed, four held
    mailer = RecordingMailer()
    result = sweep(world, mailer).run()
    [mail] = mailer.to(BOSS)
    assert result.escalated == 4
    assert all(f"/items/{finding_id}" in mail.text for finding_id in ids[1:])


def test_past_the_read_bound_the_oldest_and_newest_held_escalations_are_mailed_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("plexlabor.review.told.ITEM_READS", 2)
    world = World()
    ids = _findings(world, 4)
    _escalate_one_by_one(world, ids)  # the first mailed, three held
    mailer = RecordingMailer()
    assert sweep(world, mailer).run().escalated == 1  # the oldest (mailed) and the newest (held) read: the newest
    assert f"/items/{ids[3]}" in mailer.to(BOSS)[-1].text
    assert sweep(world, mailer).run().escalated == 0  # the same two read again: told
    world.callback.decide_in_queue(ids[0], "approve", None, "E0100")
    world.callback.decide_in_queue(ids[3], "approve", None, "E0100")
    assert sweep(world, mailer).run().escalated == 2  # their turn
