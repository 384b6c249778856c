"""review_sweep tells the EHS lead of the incidents waiting for them: one digest per run of what no earlier digest named
(to code, to confirm), with counts and links and no narrative or person; never escalated or expired; back to the
incident list's 366 days, not only the queue's 30."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from functions.review_sweep import handler as review_sweep_handler
from plexlabor.audit import AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.incidents.classifier import Classification
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.service import IncidentDeps, IncidentReport, correct_codes, log_incident, opening
from plexlabor.incidents.waiting import IncidentWaitlist
from plexlabor.platform import env
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.pilot import Hold, PilotScope
from plexlabor.review.queue import ReviewQueue, Role
from plexlabor.review.sweep import ReviewSweep
from plexlabor.review.wiring import ReviewSweepSettings
from tests.unit.approval.approval_fakes import World
from tests.unit.incidents.conftest import CONFIRMED_CODES
from tests.unit.review.review_world import ZONE
from tests.unit.review.test_review_sweep import RecordingMailer
from tests.unit.webapp.test_web_app_incident_list import SureModel

EHS = ("ehs@plant.example",)
APP = "https://app.example/prod"
CUT = "Dana Smith caught two fingers between the die and the press ram at Press 4 and cut them."
NEAR = "A pallet slid off the forks and landed next to a walker in the shipping aisle."


def report(world: World, narrative: str, *, sure: bool, by: str = "E0007", **fields: Any) -> str:
    deps = IncidentDeps(world.audit, SureModel(sure), zone=ZONE, clock=world.clock)  # type: ignore[arg-type]
    return log_incident(deps, IncidentReport(narrative=narrative, **fields), by).incident_id


def ehs_sweep(world: World, mailer: RecordingMailer, addresses: tuple[str, ...] = EHS) -> ReviewSweep:
    return ReviewSweep(
        queue=ReviewQueue(world.audit, clock=world.clock),
        audit=world.audit,
        directory=world.directory,
        mailer=mailer,
        queue_url=f"{APP}/queue",
        wait=timedelta(hours=8),
        role_addresses={Role.EHS: addresses},
        clock=world.clock,
        incidents=IncidentWaitlist(world.audit, APP, ZONE),
    )


def notified(world: World, incident_id: str) -> list[str]:
    events = world.audit.for_finding(incident_id)
    return [e.payload["recipient"] for e in events if e.event_type is AuditEventType.NOTIFICATION]


def test_one_digest_names_each_waiting_incident_once_with_counts_and_links_and_no_person() -> None:
    # Given an injury the model was not sure of (in the queue), a near miss coded automatically (to confirm), and an
    # incident the EHS lead confirmed already
    world = World()
    cut = report(world, CUT, sure=False, workcenter_code="PRESS4", kind="injury")
    near = report(world, NEAR, sure=True, kind="near_miss")
    done = report(world, "A worker slipped on oil by the lathe and bruised a knee.", sure=False)
    decided = opening(world.audit, done)
    assert decided is not None
    correct_codes(world.audit, decided, CONFIRMED_CODES, "S0001", world.clock(), None, {})
    mailer = RecordingMailer()
    sweep = ehs_sweep(world, mailer)
    # When the sweep runs
    result = sweep.run()
    # Then one mail goes to the EHS lead naming the two waiting, each once, with links to their pages and the list
    [(to, mail)] = mailer.sent
    assert to == EHS[0] and (result.mails, result.notified, result.unrouted) == (1, 2, 0)
    assert mail.subject.endswith("2 new incidents waiting for you: 1 to code, 1 to confirm")
    assert "To code (the model was not sure): 1 (1 injury)" in mail.text
    assert "Coded by the model, to confirm before they go to Plex: 1 (1 near miss)" in mail.text
    assert "Injury at PRESS4, reported " in mail.text and f"{APP}/incidents/{cut}" in mail.text
    assert f"{APP}/incidents/{near}" in mail.text and f"{APP}/incidents/{done}" not in mail.text
    assert f"{APP}/incidents?status=waiting&from=" in mail.text and "In all 2 incidents wait for you" in mail.text
    # and no narrative, no reporter, no name the text holds
    for secret in ("Dana Smith", "die and the press ram", "pallet", "E0007"):
        assert secret not in mail.text and secret not in mail.html
    assert notified(world, cut) == ["ehs"] and notified(world, near) == ["ehs"]
    # and a second run mails nothing: both were told
    again = sweep.run()
    assert len(mailer.sent) == 1 and (again.mails, again.notified) == (0, 0)
    # and a new report is the next digest's only news, among the three that wait
    world.clock.advance(minutes=15)
    later = report(world, "A forklift backed into a rack; a box fell beside an operator.", sure=False, kind="near_miss")
    sweep.run()
    assert len(mailer.sent) == 2
    news = mailer.sent[1][1]
    assert f"/incidents/{later}" in news.text and f"/incidents/{cut}" not in news.text
    assert news.subject.endswith("1 new incident waiting for you: 1 to code") and "In all 3 incidents wait" in news.text


class SureButOfTheGroupAndSource(SureModel):
    """Sure of every code but the event group and the source (auto-coded on the event division)."""

    def classify(self, narrative: str) -> Classification:
        unsure = (Field.EVENT_GROUP, Field.SOURCE_DIVISION)
        codings = super().classify(narrative).codings
        return Classification({of: replace(c, confident=of not in unsure) for of, c in codings.items()})


def test_a_partly_coded_incident_is_mailed_in_the_words_of_the_list_not_as_coded_automatically() -> None:
    # ux_s16 #5: the digest said "Coded automatically, to confirm" of a report the list calls "Partly coded: confirm …"
    world = World()
    deps = IncidentDeps(world.audit, SureButOfTheGroupAndSource(True), zone=ZONE, clock=world.clock)  # type: ignore[arg-type]
    partly = log_incident(deps, IncidentReport(narrative=CUT, workcenter_code="PRESS4"), "E0007")
    near = report(world, NEAR, sure=True, kind="near_miss")
    assert partly.status == "auto_coded"
    mailer = RecordingMailer()
    ehs_sweep(world, mailer).run()
    [(_, mail)] = mailer.sent
    assert "Coded automatically, to confirm" not in mail.text
    assert "Coded by the model, to confirm before they go to Plex: 2 (1 injury, 1 near miss)" in mail.text
    lines = {line.split(": https://")[1]: line for line in mail.text.splitlines() if "/incidents/" in line}
    assert (
        "Partly coded: confirm the event group and source" in lines[f"app.example/prod/incidents/{partly.incident_id}"]
    )
    assert "Coded automatically" in lines[f"app.example/prod/incidents/{near}"]
    assert "Partly coded: confirm the event group and source" in mail.html


def test_a_waiting_incident_is_never_escalated_or_expired_and_older_ones_than_the_queue_are_still_told() -> None:
    world = World()
    old = report(world, CUT, sure=False)
    world.clock.advance(days=45)  # past the queue's 30-day lookback
    assert old not in {item.item_id for item in ReviewQueue(world.audit, clock=world.clock).open_items()}
    mailer = RecordingMailer()
    result = ehs_sweep(world, mailer).run()
    assert result.notified == 1 and f"/incidents/{old}" in mailer.sent[0][1].text
    world.clock.advance(hours=30)  # past every wait: still nothing escalated or expired
    ehs_sweep(world, mailer).run()
    kinds = {e.event_type for e in world.audit.for_finding(old)}
    assert AuditEventType.EXPIRED not in kinds and AuditEventType.ESCALATED not in kinds


def test_near_miss_an_incident_past_the_lists_366_days_is_not_in_the_digest() -> None:
    world = World()
    report(world, CUT, sure=False)
    world.clock.advance(days=367)
    mailer = RecordingMailer()
    assert ehs_sweep(world, mailer).run().notified == 0 and mailer.sent == []


def test_without_an_ehs_address_nothing_is_mailed_and_the_incident_is_unrouted_not_expired() -> None:
    world = World()
    waiting = report(world, CUT, sure=False)
    mailer = RecordingMailer()
    lonely = ehs_sweep(world, mailer, addresses=())
    world.clock.advance(hours=30)
    result = lonely.run()
    assert (result.unrouted, result.expired, result.mails) == (1, 0, 0) and mailer.sent == []
    assert waiting in {i.item_id for i in ReviewQueue(world.audit, clock=world.clock).open_items()}
    assert notified(world, waiting) == []


def test_a_failed_mail_records_nothing_and_the_next_run_sends_it_again() -> None:
    world = World()
    waiting = report(world, CUT, sure=False)
    mailer = RecordingMailer()
    mailer.failing.add(EHS[0])
    first = ehs_sweep(world, mailer).run()
    assert (first.unsent, first.notified, first.mails) == (1, 0, 0) and notified(world, waiting) == []
    mailer.failing.clear()
    assert ehs_sweep(world, mailer).run().notified == 1 and notified(world, waiting) == ["ehs"]


def test_every_ehs_address_gets_the_digest_and_it_is_recorded_once() -> None:
    world = World()
    waiting = report(world, CUT, sure=False)
    mailer = RecordingMailer()
    ehs_sweep(world, mailer, addresses=("ehs@plant.example", "safety@plant.example")).run()
    assert [to for to, _ in mailer.sent] == ["ehs@plant.example", "safety@plant.example"]
    assert notified(world, waiting) == ["ehs"]


SETTINGS = {
    env.AUDIT_TABLE_NAME: "audit",
    env.NOTIFY_SENDER: "from@plant.example",
    env.WEB_APP_URL: APP + "/",
    env.TIMEZONE: "America/Detroit",
}


def test_review_ehs_emails_is_read_and_a_malformed_one_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in (SETTINGS | {env.PLANT_DIR: str(tmp_path)}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(env.REVIEW_EHS_EMAILS, "ehs@plant.example, safety@plant.example")
    settings = ReviewSweepSettings.from_env()
    assert settings.role_addresses[Role.EHS] == ("ehs@plant.example", "safety@plant.example")
    monkeypatch.setenv(env.REVIEW_EHS_EMAILS, "ehs@plant.example, the EHS lead")
    with pytest.raises(ConfigurationError, match=r"REVIEW_EHS_EMAILS: .*'the EHS lead' is not an e-mail address"):
        ReviewSweepSettings.from_env()


def test_the_function_builds_the_sweep_with_the_incident_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)  # clients are made, never called
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings = ReviewSweepSettings.model_validate(SETTINGS | {env.PLANT_DIR: str(tmp_path)})
    built = review_sweep_handler.dependencies.build(settings)
    assert isinstance(built.incidents, IncidentWaitlist) and built.incidents.app_url == APP
    assert str(built.incidents.zone) == "America/Detroit"


def test_an_incident_outside_the_pilot_is_mailed_like_one_inside() -> None:
    """No rollout scope holds an incident out of the EHS lead's digest (platform.pilot.NEVER_HELD)."""
    world = World()
    scope = PilotScope(departments=("MOLD",), advisory=True)
    deps = IncidentDeps(world.audit, SureModel(False), zone=ZONE, clock=world.clock, scope=scope)  # type: ignore[arg-type]
    outside = log_incident(deps, IncidentReport(narrative=CUT, department="ASSY"), "E0007").incident_id
    inside = log_incident(deps, IncidentReport(narrative=NEAR, department="MOLD"), "E0007").incident_id
    mailer = RecordingMailer()
    assert ehs_sweep(world, mailer).run().notified == 2 and len(mailer.sent) == 1  # both, in one digest
    assert f"/incidents/{inside}" in mailer.sent[0][1].text and f"/incidents/{outside}" in mailer.sent[0][1].text


def test_an_incident_a_pilot_held_out_of_the_queue_before_is_mailed() -> None:
    """One recorded `logged`, `held` when a pilot could still hold incident codings: the digest names it to code."""
    world = World()
    scratch = IncidentDeps(InMemoryAuditStore(), SureModel(False), zone=ZONE, clock=world.clock)  # type: ignore[arg-type]
    uncertain = opening(scratch.audit, log_incident(scratch, IncidentReport(narrative=CUT), "E0007").incident_id)
    assert uncertain is not None
    held = uncertain.model_copy(
        update={"status": AuditStatus.LOGGED, "payload": uncertain.payload | Hold.OUTSIDE_PILOT.payload()}
    )
    world.audit.append(held)
    mailer = RecordingMailer()
    assert ehs_sweep(world, mailer).run().notified == 1
    [(_, mail)] = mailer.sent
    assert f"/incidents/{held.finding_id}" in mail.text and "To code (the model was not sure): 1" in mail.text


def test_the_ehs_digest_names_a_resend_asking_to_correct_a_decided_report_apart_linking_it() -> None:
    # Given a report the EHS lead confirmed, then its reporter's resend of the same text and time with the shift
    # changed: a report of its own asking her to correct the decided one (ux_s13 #16)
    world = World()
    when = world.clock() - timedelta(hours=1)
    fields: dict[str, Any] = {"workcenter_code": "PRESS4", "kind": "injury", "occurred_at": when}
    first = report(world, CUT, sure=False, shift_code="1", **fields)
    decided = opening(world.audit, first)
    assert decided is not None
    confirmed = correct_codes(world.audit, decided, CONFIRMED_CODES, "S0001", world.clock(), None, {})
    world.clock.advance(minutes=10)
    second = report(world, CUT, sure=False, shift_code="2", **fields)
    resent = opening(world.audit, second)
    assert resent is not None and resent.payload["asks_to_correct"] == [first]
    mailer = RecordingMailer()
    # When the sweep runs
    ehs_sweep(world, mailer).run()
    # Then the digest names it apart, not as a report to code: when the report it asks to correct was decided, a
    # link to that report's page and one to the list of correction requests
    [(_, mail)] = mailer.sent
    assert mail.subject.endswith("1 new incident waiting for you: 1 to correct a decided report")
    assert "Asking you to correct a decided report: 1 (1 injury)" in mail.text and "To code" not in mail.text
    decided_on = confirmed.occurred_at.astimezone(ZONE).strftime("%a %Y-%m-%d %H:%M %Z")
    line = f"asks you to correct the report of it decided on {decided_on}, then set this one aside"
    assert f"{line}: {APP}/incidents/{first}" in mail.text and line in mail.html
    assert f"{APP}/incidents?status=correction&from=" in mail.text
    # and still no person: neither the reporter nor who decided
    for secret in ("Dana Smith", "E0007", "S0001"):
        assert secret not in mail.text and secret not in mail.html
    assert notified(world, second) == ["ehs"]
