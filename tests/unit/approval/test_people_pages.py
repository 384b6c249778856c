"""The approval e-mail and link pages as a supervisor reads them (issue 9, item 6): the employee and the
supervisor by name and employee number (by number where supervisors may not see names), every time in
plant time with its date and zone, and a reused link naming who decided."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from approval_fakes import World, api_event, make_finding, make_request, notice

from functions.approval_callback.handler import handler
from plexlabor.approval.callback import OUTCOME_SHOWN_FOR
from plexlabor.approval.chat import ChatWebhookNotifier
from plexlabor.approval.digest import DigestMailer, EmailContent
from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.approval.display import Reader
from plexlabor.approval.messages import Stage
from tests.support import FakeLambdaContext

DETROIT = ZoneInfo("America/Detroit")
EMPLOYEE = Person("E0002", "E00002", "Robin Diaz")  # make_finding's employee
SUPERVISOR = Person("E0001", "E00001", "Dana Smith")  # make_request's supervisor
ESCALATION = Person("E0100", "E00100", "Lee Park")
DIRECTORY = StaticPeopleDirectory([EMPLOYEE, SUPERVISOR, ESCALATION])
NAMES = Reader(DETROIT, PeopleDisplay(DIRECTORY))
NUMBERS = Reader(DETROIT, PeopleDisplay(DIRECTORY, frozenset({"hr", "admin"})))
RAW_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|UTC")


class Outbox:
    """An `EmailSender` that keeps what it is asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, EmailContent]] = []

    def send_email(self, address: str, content: EmailContent) -> str | None:
        self.sent.append((address, content))
        return "ses-1"


def _mail(world: World, reader: Reader) -> EmailContent:
    outbox = Outbox()
    world.notifier = DigestMailer(outbox, reader)  # type: ignore[assignment]
    batch = world.notify.batch()
    batch.add(notice(), "m-1")
    assert batch.flush() == []
    ((address, content),) = outbox.sent
    assert address == "sup1@plant.example"
    return content


def _page(world: World, method: str, token: str, reader: Reader, **form: str) -> dict[str, Any]:
    event = api_event(method, token, urlencode(form) if method == "POST" else None)
    return handler(event, FakeLambdaContext(), dependencies=world.callback, reader=reader)


def _link(world: World) -> str:
    (token,) = world.notified(notice(make_request(make_finding(), employee_number="E00002")))
    return token


# ---- the digest --------------------------------------------------------------------------------------
def test_the_digest_names_the_employee_and_gives_the_link_expiry_in_plant_time() -> None:
    mail = _mail(World(), NAMES)

    for text in (mail.text, mail.html):
        assert "Robin Diaz (E00002)" in text and "E0002 " not in text
        assert "Tue 2026-03-03 00:00 EST" in text  # T0 04:00 UTC + the request's hour, in Detroit
        assert not RAW_UTC.search(text.replace(mail.text.split("review: ")[1].split()[0], ""))


def test_where_supervisors_may_not_see_names_the_digest_gives_the_number() -> None:
    mail = _mail(World(), NUMBERS)

    assert "employee E00002 |" in mail.text and "Robin" not in mail.text + mail.html


def test_the_chat_nudge_names_the_supervisor() -> None:
    class Session:
        def __init__(self) -> None:
            self.posted: list[Any] = []

        def post(self, url: str, json: Any, timeout: float) -> Any:
            self.posted.append(json)
            return type("Answer", (), {"raise_for_status": lambda self: None})()

    world, session = World(), Session()
    world.notified(notice())
    ChatWebhookNotifier("https://chat.example/hook", session, NAMES).send(world.notifier.sent[0])
    assert "supervisor Dana Smith (E00001)'s approval" in session.posted[0]["text"]


# ---- the link page -----------------------------------------------------------------------------------
def test_the_link_page_names_people_and_shows_evidence_and_correction_in_plant_time(world: World) -> None:
    page = _page(world, "GET", _link(world), NAMES)["body"]

    assert "<th>Employee</th><td>Robin Diaz (E00002)</td>" in page
    assert "for supervisor Dana Smith (E00001)" in page and "plant time (America/Detroit)" in page
    assert "<th>Clock-in</th><td>Mon 2026-03-02 00:52 EST</td>" in page  # evidence, 05:52 UTC
    assert "<th>Clock-out</th><td>Mon 2026-03-02 09:07 EST</td>" in page  # the correction, 14:07 UTC
    assert "<th>Link valid until</th><td>Tue 2026-03-03 00:00 EST</td>" in page
    assert not RAW_UTC.search(page)


def test_where_supervisors_may_not_see_names_the_page_gives_numbers(world: World) -> None:
    page = _page(world, "GET", _link(world), NUMBERS)["body"]

    assert "<th>Employee</th><td>E00002</td>" in page and "for supervisor E00001" in page
    assert "Robin" not in page and "Dana" not in page


def test_the_link_page_says_in_a_sentence_why_it_was_sent_to_this_supervisor(world: World) -> None:
    """ux141 #13: the facts read "Asked escalated to you"; each stage now says why it came and what happens next."""
    request = make_request(make_finding(), employee_number="E00002", escalation_supervisor_id="E0100", wait_seconds=60)
    (first,) = world.notified(notice(request))
    alone = world.notified(notice(make_request(make_finding(finding_id="f-000000000000000000000002"))))[-1]
    before = _page(world, "GET", first, NAMES)["body"]  # the escalation supersedes the first link (ux164 #15)
    escalated = world.notified(notice(request, stage=Stage.ESCALATED, token="task-2"))[-1]

    pages = [before, *(_page(world, "GET", token, NAMES)["body"] for token in (alone, escalated))]
    assert all("Asked" not in page for page in pages)
    assert (
        "<th>Sent to you</th><td>first; if nobody decides it by the time below, it goes to Lee Park (E00100)</td>"
        in pages[0]
    )
    assert (
        "<th>Sent to you</th><td>first; if nobody decides it by the time below, it expires undecided</td>" in pages[1]
    )
    assert (
        "<th>Sent to you</th><td>on escalation: Dana Smith (E00001), asked first, did not decide it in time; "
        "if nobody decides it by the time below, it expires undecided</td>" in pages[2]
    )
    world.clock.advance(seconds=61)  # the first link has expired: its page says who has the finding now
    expired = _page(world, "GET", first, NAMES)
    assert expired["statusCode"] == 410 and "Asked" not in expired["body"]
    assert (
        "This approval link no longer works: the finding was escalated to Lee Park (E00100), the next supervisor up, "
        "on Mon 2026-03-02 23:00 EST, who can decide it now." in expired["body"]
    )
    assert '<a href="../queue">Open the review queue</a>' in expired["body"]


def test_a_link_used_after_a_queue_decision_names_the_decider_and_when(world: World) -> None:
    token = _link(world)
    world.callback.decide_in_queue("f-000000000000000000000001", "approve", None, ESCALATION.employee_id)

    for method, form in (("GET", {}), ("POST", {"action": "reject", "reason": "late"})):
        response = _page(world, method, token, NAMES, **form)
        assert response["statusCode"] == 410
        assert "already approved by Lee Park (E00100) on Mon 2026-03-02 23:00 EST." in response["body"]
        assert "E0100 " not in response["body"]
    numbers = _page(world, "GET", token, NUMBERS)["body"]
    assert "already approved by E00100 on" in numbers and "Lee" not in numbers


def test_a_decider_who_is_not_an_employee_is_named_by_their_user_name(world: World) -> None:
    token = _link(world)
    world.callback.decide_in_queue("f-000000000000000000000001", "reject", "not ours", "jdoe")

    assert "already rejected by jdoe on" in _page(world, "GET", token, NAMES)["body"]


def test_a_decider_whose_user_name_is_their_role_is_named_by_the_role(world: World) -> None:
    """ux141 #13: the dev sign-in's "admin" read as a person's name ("already rejected by admin")."""
    token = _link(world)
    world.callback.decide_in_queue("f-000000000000000000000001", "reject", "not ours", "admin")

    assert "already rejected by an administrator on" in _page(world, "GET", token, NAMES)["body"]


def _rejected_on_escalation(world: World) -> str:
    """A finding whose first link (60 s, to Dana Smith) went unanswered and which Lee Park, asked on
    escalation, rejected ('he swapped shifts'); the first link's token."""
    request = make_request(make_finding(), employee_number="E00002", escalation_supervisor_id="E0100", wait_seconds=60)
    (token,) = world.notified(notice(request))
    escalated = world.notified(notice(request, stage=Stage.ESCALATED, token="task-2"))[-1]
    assert _page(world, "POST", escalated, NAMES, action="reject", reason="he swapped shifts")["statusCode"] == 200
    return token


def test_an_expired_link_to_a_decided_finding_names_the_decider_not_only_the_expiry(world: World) -> None:
    """N12 (ux113): the first supervisor's mailed link expired, the escalated one rejected the finding."""
    token = _rejected_on_escalation(world)
    world.clock.advance(seconds=61)  # the first link has expired since

    for method, form in (("GET", {}), ("POST", {"action": "approve"})):
        response = _page(world, method, token, NAMES, **form)
        assert response["statusCode"] == 410
        assert "already rejected by Lee Park (E00100) on" in response["body"]
        assert "(he swapped shifts)" in response["body"] and "has expired" not in response["body"]


def test_a_link_expired_over_a_week_ago_says_only_that_it_expired(world: World) -> None:
    """Review 123: an old (forwarded) mail must not show who decided and why for ever, without sign-in."""
    token = _rejected_on_escalation(world)
    world.clock.advance(seconds=60 + OUTCOME_SHOWN_FOR.total_seconds() - 1)  # a week after it expired, less 1 s
    assert "already rejected by Lee Park" in _page(world, "GET", token, NAMES)["body"]
    world.clock.advance(seconds=1)

    for method, form in (("GET", {}), ("POST", {"action": "approve"})):
        response = _page(world, method, token, NAMES, **form)
        assert response["statusCode"] == 410 and "This approval link has expired." in response["body"]
        assert "Lee Park" not in response["body"] and "swapped" not in response["body"]


def test_an_expired_link_to_an_open_finding_still_says_it_expired(world: World) -> None:
    (token,) = world.notified(notice(make_request(make_finding(), employee_number="E00002", wait_seconds=60)))
    world.clock.advance(seconds=61)

    response = _page(world, "GET", token, NAMES)
    assert response["statusCode"] == 410 and "This approval link has expired." in response["body"]
