"""review_sweep reads what each open item was told from the item's own events (review_s13 L3): it read the plant's
`notified` and `escalated` events of 30 days, oldest first and capped (50,000), so in a plant past the cap the newest
notices, those of the items still open, fell off and every run mailed them again. The caps made small here."""

from __future__ import annotations

import logging

import pytest

from plexlabor.audit import AuditEvent
from tests.unit.approval.approval_fakes import World
from tests.unit.review.test_review_sweep import RecordingMailer, suggest, sweep


def _world(count: int) -> World:
    world = World()
    for n in range(1, count + 1):
        suggest(world, f"crew-{n}", "crew_assignment")
        world.clock.advance(seconds=1)
    return world


def test_a_second_run_tells_nobody_again_when_the_plants_notices_pass_the_read_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("plexlabor.review.sweep.READ_LIMIT", 3)
    world = _world(3)  # 6 notices: the supervisor and the planners of each
    mailer = RecordingMailer()
    first = sweep(world, mailer).run()
    second = sweep(world, mailer).run()
    assert (first.notified, first.mails) == (6, 2)
    assert (second.notified, second.mails) == (0, 0)


def test_past_the_item_read_bound_the_oldest_and_newest_items_are_read_and_the_rest_wait_for_a_later_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("plexlabor.review.told.ITEM_READS", 2)
    world = _world(3)
    mailer = RecordingMailer()
    read: list[str] = []
    for_finding = world.audit.for_finding

    def counted(item_id: str) -> list[AuditEvent]:
        read.append(item_id)
        return for_finding(item_id)

    monkeypatch.setattr(world.audit, "for_finding", counted)
    with caplog.at_level(logging.ERROR):
        first = sweep(world, mailer).run()
    # the oldest and the newest, to both recipients
    assert sorted(read) == ["crew-1", "crew-3"] and first.notified == 4
    assert "2 of 3 open items" in caplog.text
    read.clear()
    second = sweep(world, mailer).run()  # crew-1 and crew-3 are told, so the same two are read again
    assert sorted(read) == ["crew-1", "crew-3"] and second.notified == 0


def test_past_the_item_read_bound_a_new_item_is_told_though_the_oldest_stay_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """review_s14 L9: past the bound the oldest items alone were read, so while they stayed open (neither decided nor
    expired yet) an item opened after them was never read, and nobody was told of it."""
    monkeypatch.setattr("plexlabor.review.told.ITEM_READS", 2)
    world = _world(2)
    mailer = RecordingMailer()
    assert sweep(world, mailer).run().notified == 4  # crew-1 and crew-2, to both recipients
    suggest(world, "crew-3", "crew_assignment")
    second = sweep(world, mailer).run()
    assert second.notified == 2  # crew-3, to both recipients
    assert all("Crew assignment: 1" in content.text for _, content in mailer.sent[-second.mails :])
