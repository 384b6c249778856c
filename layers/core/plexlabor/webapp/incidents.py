"""Incident pages: the report form (`/incidents/new`) and one incident (`/incidents/<id>`).

The form is for anyone signed in (a shop-floor tablet: one column, large targets); it posts to
incident_log's `POST /incidents` (`plexlabor.incidents.api`), which codes and records the report and
sends the browser to the incident's page. That page shows the codes with their confidences, what the
text says (when, where, equipment, body parts, PPE) and where the incident stands. The EHS lead (and an
admin) confirm or correct the codes and what the text says there (`POST`), which records a decision
with both (`incidents.service.correct_codes`; the codes are training data; a later save is a correction,
the newest decision holds, the earlier ones stay listed, and an incident rejected in the queue can still
be coded) and then sends it to plex_writeback, which writes it to the incidents custom object in the configured
write mode (dry run by default) and records that; if it cannot be sent, the page offers to send it
again. The reporter sees their own incident. A report the reporter's corrected resend replaced
(`incidents.service.replacement`) says so and links the new one, offers no form, and refuses a save or send (409);
the new one names what it replaces and, when Plex holds that record, asks the EHS lead to tick that this one is
written as well (`PLEX_EARLIER`; a report decided before 2026-12-06). A resend of a report someone decided replaces
nothing: the new one asks the EHS lead to correct that report (`asks_to_correct`, ux_s13 #16). A report sent by
mistake is withdrawn on its page by its reporter (or an admin; the EHS lead sets it aside) with a reason, until
someone decides it or it goes to Plex (`incidents.withdrawal`; the same POST with `withdraw`); the page then says who
withdrew it, when and why, and refuses anything else (409).
Nothing here classifies: the page reads the audit table only (no scikit-learn in the web app).
The trends page, `/incidents/trends`, is `webapp.incidenttrendspage`; the list of incidents, `/incidents`, where
an auto-coded incident awaits the EHS lead's confirmation, is `webapp.incidentlist`.

Registered on the web app's resolver by importing this module (the last lines of `webapp.app`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from functools import partial, wraps
from typing import Any

from aws_lambda_powertools.event_handler import Response

from plexlabor.approval.callback import CallbackService
from plexlabor.approval.display import equipment_words
from plexlabor.approval.errors import DecisionFormError
from plexlabor.approval.messages import MAX_REASON_CHARS, Decision, RecommendationWriteback
from plexlabor.approval.wiring import plex_settings, reads_plex
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.errors import AuditConflictError
from plexlabor.audit.events import SUPERSEDED_BY
from plexlabor.incidents.oiics import (
    EVENT_DIVISION_TITLES,
    EVENT_GROUP_TITLES,
    EVENT_GROUPS_BY_DIVISION,
    FIELD_LABELS,
    FIXED_TITLES,
    INJURY_ONLY,
    Field,
    coded_words,
)
from plexlabor.incidents.service import (
    CONFIRMED_LABELS,
    CONFIRMED_VIA,
    GROUP_TITLES,
    CodeCorrectionError,
    CorrectionRefused,
    KeptPlantChoices,
    PlantChoices,
    closed_words,
    confirmation_defaults,
    confirmed_decision,
    correct_codes,
    corrected_report,
    decided_standing,
    decisions_of,
    in_the_way,
    opening,
    part_from_text,
    read_codes,
    read_confirmation,
    readable_shifts,
    record_unqueued,
    replacement,
    what_it_replaces,
)
from plexlabor.incidents.spoken import SpokenReportSettings
from plexlabor.incidents.withdrawal import (
    MISTAKE,
    SET_ASIDE,
    WithdrawalFormError,
    WithdrawalRefused,
    closing_words,
    ground_of,
    plex_holds,
    read_ground,
    read_reason,
    refusal,
    set_aside_refusal,
    withdraw,
    withdrawal,
    withdrawal_of,
    withdrawn_words,
)
from plexlabor.platform.observability import logger
from plexlabor.platform.settings import PerEnvironment
from plexlabor.review.queue import Role, Viewer
from plexlabor.webapp.app import Page, WebAppSettings, _deps, _form, _query, app
from plexlabor.webapp.incidentform import form_context

CODERS = frozenset({Role.EHS, Role.ADMIN})
"""Who confirms or corrects an incident's codes."""
SAVED = {
    "1": "Saved: the codes are kept, and the model learns from them at its next training. The incident is on its "
    "way to Plex.",
    "sent": "Sent on its way to Plex again.",
    "corrected": "Saved: your correction replaces the earlier codes (kept below as the trail), the model learns "
    "from it at its next training, and the correction is on its way to Plex.",
    "withdrawn": "Withdrawn: the report leaves the EHS lead's queue and list of work, and nothing of it goes to Plex.",
    "set_aside": "Set aside: the report leaves the incident trends and the training rows, and nothing more of it goes "
    "to Plex.",
}
RECORDING_UNUSED = (
    "Your report was recorded from the text you typed. The recording was not used: no transcription is set up here."
)
JOB_UNCHECKED = (
    "Your report was recorded with the job as you typed it: Plex could not be asked just now whether it has that job."
)
REPORTED = (
    "Sent: your report is recorded. The EHS lead reads it and confirms its codes; this page shows where it stands, "
    "and Incidents lists it."
)
REPORTED_AGAIN = "You sent this report already: it was recorded once, and this is it."
REPORT_NOTES = {
    ("reported", "1"): REPORTED,
    ("reported", "again"): REPORTED_AGAIN,
    ("recording", "unused"): RECORDING_UNUSED,
    ("job", "unchecked"): JOB_UNCHECKED,
}
"""What the reporter is told on the page incident_log's redirect opens (`incidents.api`: `?reported=1` or `again`, a
report sent, ux_s13 #7: the page said nothing; `?recording=unused`, `?job=unchecked`)."""
UNSENT = "Saved, but the incident could not be sent on its way to Plex: send it again below."
PLEX_EARLIER = "plex_earlier"
"""The code form's box the EHS lead ticks to write a corrected report to Plex although Plex holds the report it
replaces (no silent second record: ux136 #3)."""


def _may_see(viewer: Viewer, event: AuditEvent) -> bool:
    return bool(viewer.roles & CODERS) or event.actor == viewer.user_id


def _event_groups(division: str) -> list[tuple[str, str, dict[str, str]]]:
    """The event groups the code form offers, under their divisions (division, its title, {group: title}), the
    chosen `division`'s first. Every division's are offered, not only the chosen one's: the page has no script to
    follow a change of division, and a group of another division is refused with the reason when saved."""
    divisions = sorted(EVENT_GROUPS_BY_DIVISION, key=lambda code: (code != division, code))
    return [(code, EVENT_DIVISION_TITLES[code], EVENT_GROUPS_BY_DIVISION[code]) for code in divisions]


def _unlisted(group: str) -> str:
    """A group the form must offer although OIICS does not list it (the model's, or kept as typed before), or ""."""
    return "" if group in EVENT_GROUP_TITLES else group


def _context(page: Page, event: AuditEvent) -> dict[str, Any]:
    payload = event.payload
    decisions = decisions_of(page.deps.review.audit, str(event.finding_id))
    decision = decisions[-1] if decisions else None
    codes = dict(payload.get("codes") or {})
    from_text = part_from_text(event) if decision is None and not _near_miss(event) else None
    if from_text is not None:  # offered from what the text names, the model's unsure proposal beside it
        codes[Field.PART_DIVISION.value] = from_text[0]
    if decision is not None:
        codes.update(decision.payload.get("codes") or {})
    coder = bool(page.viewer.roles & CODERS)
    closing = replacement(page.deps.review.audit, str(event.finding_id))
    history = page.deps.review.audit.history(event.record_key)
    withdrawn = withdrawal_of(history, str(event.finding_id))
    near_miss = _near_miss(event)
    coding = [c for c in payload.get("coding", []) if not (near_miss and Field(c["field"]) in INJURY_ONLY)]
    replaces, asked = what_it_replaces(page.deps.review.audit, event)
    return {
        "event": event,
        "incident": payload.get("incident", {}),
        "happened": _moment((payload.get("incident") or {}).get("occurred_at"), page.deps.zone),
        "coding": coding,
        "coded_words": coded_words([Field(c["field"]) for c in coding if not c.get("confident")], coder=coder),
        "not_applicable": [FIELD_LABELS[of] for of in INJURY_ONLY] if near_miss else [],
        "extraction": payload.get("extraction", {}),
        "equipment_said": equipment_words(payload.get("extraction") or {}) or "none named",
        "decision": decision,
        "earlier": decisions[:-1],
        "labels": {of.value: FIELD_LABELS[of] for of in Field},
        "note_limit": MAX_REASON_CHARS,
        "pending": event.status is AuditStatus.PENDING_APPROVAL and decision is None,
        "codes": codes,
        "fields": [
            (of.value, FIELD_LABELS[of], FIXED_TITLES.get(of)) for of in Field if not (near_miss and of in INJURY_ONLY)
        ],
        "event_groups": _event_groups(codes.get(Field.EVENT_DIVISION.value, "")),
        "unlisted_group": _unlisted(codes.get(Field.EVENT_GROUP.value) or ""),
        "may_code": coder and closing is None and withdrawn is None,
        "withdrawn": withdrawn,
        "withdrawn_by": withdrawn_words(withdrawn) if withdrawn is not None else "",
        "withdrawn_why": (withdrawal(withdrawn) or {}).get("reason", "") if withdrawn is not None else "",
        **_duplicate_of(page, withdrawn),
        "may_withdraw": _withdraws(page.viewer, event) and refusal(history, str(event.finding_id)) is None,
        "may_correct": may_correct(page.viewer, event) and closing is None and withdrawn is None,
        "may_set_aside": coder and set_aside_refusal(history, str(event.finding_id)) is None,
        "set_aside": {},
        "replaced_by": closing,
        "newer_name": _newer_name(page, closing),
        "replaces": [_earlier(page, earlier, coder) for earlier in replaces],
        "named_correction": bool(payload.get("corrects")),
        "asks_to_correct": [_asked(page, decided) for decided in asked],
        "coder": coder,
        "confirm": (confirm := _confirm_defaults(event, decision, page.deps.zone)),
        "time_to_fill": "" if confirm["occurred_at"] else _time_to_fill(payload.get("extraction") or {}),
        "plex": _plex_state(page, event, decision),
        "confirmed": confirmed_decision(decision) if decision is not None else None,
        "choices": _choices() if coder else PlantChoices(),
        "decided": _decided_codes(codes, coding, near_miss, payload.get(GROUP_TITLES) or {})
        if _approved(decision)
        else [],
        "as_confirmed": _as_confirmed(decision, page.deps.zone),
        "from_text": {Field.PART_DIVISION.value: from_text[1]} if from_text else {},
    }


def _duplicate_of(page: Page, closing: AuditEvent | None) -> dict[str, str]:
    """How the page leads with the closing (`withdrawn_lead`) and, for a report set aside as a duplicate, the report it
    repeats: its id (the link's target) and its name, only for a viewer who may see that report (`_may_see`); anyone
    else reads "another report here" (review_s13 #2: its reporter read a colleague's report, when and where)."""
    other = str((withdrawal(closing) or {}).get("duplicate_of") or "") if closing is not None else ""
    found = opening(page.deps.review.audit, other) if other else None
    shown = bool(page.viewer.roles & CODERS) or (found is not None and _may_see(page.viewer, found))
    lead = closing_words(closing, named=shown) if closing is not None else ""
    if not shown:
        return {"withdrawn_lead": lead, "duplicate_of": "", "duplicate_name": ""}
    name = report_name(page, found, "the report it duplicates")
    return {"withdrawn_lead": lead, "duplicate_of": other, "duplicate_name": name}


def _withdraws(viewer: Viewer, event: AuditEvent) -> bool:
    """Whether the viewer may withdraw the report as sent by mistake: its reporter, or an admin; the EHS lead sets a
    report aside instead (ux_s13 #6: she was offered the reporter's "Sent by mistake?" panel too)."""
    return event.actor == viewer.user_id or Role.ADMIN in viewer.roles


def _withdrawer(viewer: Viewer, event: AuditEvent) -> str:
    """Who the viewer withdraws the report as (`withdrawal.ROLE_WORDS`'s key): its reporter, else the EHS lead or an
    admin (nobody else sees the page: `_may_see`)."""
    if event.actor == viewer.user_id:
        return "reporter"
    return "ehs" if Role.EHS in viewer.roles else "admin"


def _newer_name(page: Page, closing: AuditEvent | None) -> str:
    """The corrected report that replaced this one, named (`report_name`); "" when none did."""
    if closing is None:
        return ""
    newer = opening(page.deps.review.audit, str(closing.payload.get(SUPERSEDED_BY)))
    return report_name(page, newer, "the corrected report")


def report_name(page: Page, event: AuditEvent | None, unknown: str = "the earlier report") -> str:
    """A report as a person names it, its id kept for the link (ux141 #13: "replaces inc-195a396d..."): "your report
    of Sat 2026-12-05 05:40, injury at PRESS4" (whose, when it happened, else when it was sent, and where when
    named); `unknown` when its opening event is not read."""
    if event is None:
        return unknown
    report = event.payload.get("incident") or {}
    whose = "your" if event.actor == page.viewer.user_id else f"{page.who(event.actor)}'s"
    happened = _moment(report.get("occurred_at"), page.deps.zone) or event.occurred_at
    kind = "near miss" if report.get("kind") == "near_miss" else "injury"
    where = f" at {report['workcenter_code']}" if report.get("workcenter_code") else ""
    return f"{whose} report of {page.local(happened)}, {kind}{where}"


def sent_name(page: Page, event: AuditEvent) -> str:
    """A report a named correction replaces, as its page names it (ux_verify_s16 C: "your report of Sun 04:02, injury,
    sent on Sun 04:02 with the same text and time" gave the report time twice and a sameness a correction has not):
    "your report sent Sun 2026-12-06 04:02 (injury, no time given)"."""
    report = event.payload.get("incident") or {}
    whose = "your" if event.actor == page.viewer.user_id else f"{page.who(event.actor)}'s"
    kind = "near miss" if report.get("kind") == "near_miss" else "injury"
    where = f" at {report['workcenter_code']}" if report.get("workcenter_code") else ""
    happened = _moment(report.get("occurred_at"), page.deps.zone)
    when = f"happened {page.local(happened)}" if happened else "no time given"
    return f"{whose} report sent {page.local(event.occurred_at)} ({kind}{where}, {when})"


def _earlier(page: Page, incident_id: str, coder: bool) -> dict[str, Any]:
    """A report this one replaces, as its page names it: its id (the link's target), its name (`report_name`; as a
    named correction's page names it: `sent_name`), what it said beside the text, what became of it (`decided`: who
    confirmed it and where its write to Plex stands; what to do about it for a `coder`) and whether Plex holds it
    (`in_plex`)."""
    event = opening(page.deps.review.audit, incident_id)
    if event is None:  # recorded before the list's index (2026-12-05) or not read yet: named only
        return {
            "id": incident_id,
            "name": report_name(page, None),
            "sent_name": report_name(page, None),
            "event": None,
            "sent": "",
            "decided": "",
            "in_plex": False,
        }
    report = event.payload.get("incident") or {}
    sent = ["a near miss" if report.get("kind") == "near_miss" else "an injury"]
    sent += [f"{label} {report[name]}" for name, label in WHAT_WAS_SENT if report.get(name)]
    decision = decisions_of(page.deps.review.audit, incident_id)
    last = decision[-1] if decision else None
    plex = _plex_state(page, event, last)
    holds = plex_holds(
        [e for e in page.deps.review.audit.history(event.record_key) if e.finding_id == event.finding_id]
    )
    return {
        "id": incident_id,
        "name": report_name(page, event),
        "sent_name": sent_name(page, event),
        "event": event,
        "sent": " · ".join(sent),
        "decided": _fate(page, last, plex, coder, holds),
        "in_plex": holds,
    }


def _asked(page: Page, incident_id: str) -> dict[str, Any]:
    """A decided report this one asks the EHS lead to correct (a resend never replaces one: ux_s13 #16), as `_earlier`
    names it, with who decided it and when (`decided`)."""
    asked = _earlier(page, incident_id, coder=False)
    last = decisions_of(page.deps.review.audit, incident_id)
    asked["decided"] = f"{page.who(last[-1].actor)} decided it on {page.local(last[-1].occurred_at)}" if last else ""
    return asked


WHAT_WAS_SENT = (
    ("workcenter_code", "workcenter"),
    ("department", "department"),
    ("shift_code", "shift"),
    ("job_no", "job"),
)
"""The report's fields beside the text, as a replaced report is summed up ("an injury · workcenter PRS-04")."""


def _fate(page: Page, decision: AuditEvent | None, plex: AuditEvent | None, coder: bool, holds: bool) -> str:
    """What became of a replaced report before it was replaced, in words ("" when nobody decided it); when Plex
    holds it (`holds`: `withdrawal.plex_holds`, also when a later write failed), the EHS lead (a `coder`) is told
    what saving this one does, its reporter who deals with it."""
    if decision is None:
        return ""
    by = f"by {page.who(decision.actor)} on {page.local(decision.occurred_at)}"
    if decision.status is AuditStatus.REJECTED:
        return f"Its codes were rejected in the review queue {by}."
    if decision.payload.get("via") != CONFIRMED_VIA:
        return f"Its codes were confirmed in the queue {by}; nothing of it was written to Plex."
    if holds:
        latest = plex is not None and plex.event_type is AuditEventType.WRITEBACK and bool(plex.payload.get("sent"))
        when = (
            f" on {page.local(plex.occurred_at)}" if latest and plex is not None else " (an earlier write stands there)"
        )
        held = f"Plex holds that earlier report: it was confirmed {by} and written to Plex{when}."
    elif plex is None:
        return f"It was confirmed {by} and sent on its way to Plex: check in Plex whether it was written."
    elif plex.event_type is AuditEventType.WRITEBACK_FAILED:
        return f"It was confirmed {by}; its write to Plex failed, so Plex does not hold it."
    elif plex.event_type is AuditEventType.REVERT:
        return f"It was confirmed {by}, written to Plex and withdrawn there on {page.local(plex.occurred_at)}."
    else:
        return f"It was confirmed {by}: a dry run, nothing of it was written to Plex."
    if not coder:
        return f"{held} The EHS lead is told so here, and withdraws it in Plex."
    return (
        f"{held} Saving the codes here writes this report to Plex as a record of its own; withdraw the earlier record "
        "in Plex (plexlabor writeback revert)."
    )


def _approved(decision: AuditEvent | None) -> bool:
    return decision is not None and decision.status is AuditStatus.APPROVED


def _near_miss(event: AuditEvent) -> bool:
    """A near miss: OIICS codes no nature of injury or part of body for it (`INJURY_ONLY`)."""
    return bool((event.payload.get("incident") or {}).get("kind") == "near_miss")


def _decided_codes(
    codes: dict[str, str], coding: list[dict[str, Any]], near_miss: bool, group_titles: dict[str, str]
) -> list[dict[str, Any]]:
    """The codes as the EHS lead confirmed them, each with its title and what the model proposed (None: nothing).
    A division's title is fixed (`FIXED_TITLES`), an event group's OIICS's (`EVENT_GROUP_TITLES`), else the coding
    model's (`group_titles`, kept with the coding: `service.GROUP_TITLES`); "" when none is known."""
    proposed = {c["field"]: c for c in coding}
    rows = []
    for of in Field:
        code = codes.get(of.value)
        if not code or (near_miss and of in INJURY_ONLY):
            continue
        model = proposed.get(of.value)
        proposed_title = model["title"] if model and model["code"] == code else ""
        oiics = EVENT_GROUP_TITLES if of is Field.EVENT_GROUP else FIXED_TITLES.get(of, {})
        title = oiics.get(code) or group_titles.get(code) or proposed_title
        rows.append({"label": FIELD_LABELS[of], "code": code, "title": title, "proposed": model})
    return rows


def _as_confirmed(decision: AuditEvent | None, zone: tzinfo) -> dict[str, Any] | None:
    """What the EHS lead confirmed of the text on the incident's page (when as a time), else None."""
    if not _approved(decision) or decision is None or decision.payload.get("via") != CONFIRMED_VIA:
        return None
    confirmed = dict(decision.payload.get("confirmed") or {})
    return {**confirmed, "occurred_at": _moment(confirmed.get("occurred_at"), zone)}


def _confirm_defaults(event: AuditEvent, decision: AuditEvent | None, zone: tzinfo) -> dict[str, str]:
    """The fields the form offers: as the EHS lead confirmed them last, else from the report and its text."""
    offered = confirmation_defaults(event, zone)
    if not _approved(decision) or decision is None or decision.payload.get("via") != CONFIRMED_VIA:
        return offered
    confirmed = {name: str(value or "") for name, value in (decision.payload.get("confirmed") or {}).items()}
    when = _moment(confirmed.get("occurred_at"), zone)
    return {**offered, **confirmed, "occurred_at": when.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if when else ""}


def _time_to_fill(extraction: dict[str, Any]) -> str:
    """What the EHS lead is asked when the text names a day without a clock time and nothing else gives the time
    (ux_s14 #16: "this morning" was offered as 00:00, to be written to Plex), else ""."""
    day = extraction.get("day")
    if not day or extraction.get("when"):
        return ""
    said = extraction.get("when_text") or "that day"
    return f"The report says only “{said}” ({date.fromisoformat(day):%a %Y-%m-%d}): enter the time it happened."


def _moment(text: str | None, zone: tzinfo) -> datetime | None:
    """A time the audit keeps as ISO text (plant time when it has no zone), for `Page.local` to show."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _plex_state(page: Page, event: AuditEvent, decision: AuditEvent | None) -> AuditEvent | None:
    """The newest write-back event (written, failed, reverted) of the incident's newest decision, if any."""
    kinds = {AuditEventType.WRITEBACK, AuditEventType.WRITEBACK_FAILED, AuditEventType.REVERT}
    since = decision.event_sk if decision is not None else ""
    events = [
        e
        for e in page.deps.review.audit.history(event.record_key)
        if e.event_type in kinds and e.finding_id == event.finding_id and e.event_sk > since
    ]
    return events[-1] if events else None


def _send(page: Page, incident_id: str, decision: Decision | None, decided: AuditEvent | None) -> bool:
    """Send the confirmed incident to plex_writeback (idempotent there; a correction, `decided` replacing an
    earlier decision, is a write of its own); False when it could not be sent."""
    if decision is None or decided is None:
        return False
    later = decided.event_id if decided.payload.get("corrects") else None
    try:
        message = RecommendationWriteback(item_id=incident_id, decision=decision, decision_id=later)
        page.deps.review.writeback.send(message)
    except Exception:  # the queue unreachable: the decision stands, recorded as not written; the page offers to resend
        logger.exception("incident not sent to plex_writeback", incident_id=incident_id)
        record_unqueued(page.deps.review.audit, decided, page.viewer.user_id, page.deps.review.clock())
        return False
    return True


def read_choices(settings: WebAppSettings) -> PlantChoices:
    """The plant's workcenters, departments and shifts from Plex, with the pages' short Plex limits (none
    without Plex settings: the fields are then typed, and incident_log checks them)."""
    if not reads_plex(settings):
        return PlantChoices()
    from plexlabor.plex.client import PlexLaborClient

    with PlexLaborClient(plex_settings(settings).interactive()) as client:  # its connections closed after the read
        return PlantChoices.of(client.workcenters(), client.employees(), readable_shifts(client))


form_choices = PerEnvironment(WebAppSettings, lambda settings: KeptPlantChoices(read=partial(read_choices, settings)))
"""The form's choices for this environment, read on first use and again hourly (`KeptPlantChoices`)."""


def _choices() -> PlantChoices:
    try:
        return form_choices()()
    except Exception as error:  # the web app's settings incomplete (a test, a local run): typed fields
        logger.warning("no plant values for the incident form", reason=str(error))
        return PlantChoices()


spoken_reports = PerEnvironment(SpokenReportSettings, lambda settings: bool(settings.transcribe_language))
"""Whether incident_log transcribes a recording in this environment (the form offers one only then)."""


@app.get("/incidents/new")
def incident_form() -> Response[str]:
    """The incident form; `?correct=<incident id>`: filled in as the viewer sent that report ("Correct this report"),
    and sent with its id, so that report is the one replaced (`service.log_incident(corrects=...)`); 404/403 for no
    such report or someone else's, 409 for one withdrawn, set aside or replaced already, each saying why."""
    page = Page(_deps())
    correcting = _query().get("correct")
    typed = None
    if correcting:
        audit = page.deps.review.audit
        seen = opening(audit, correcting)
        if seen is None or not _may_see(page.viewer, seen):  # a report they may not see is not named to them
            message = "No such report to correct."
            return page.render("message.html", 404, title="Not found", page="incidents", message=message)
        try:
            found = corrected_report(audit, correcting, page.viewer.user_id)
        except CorrectionRefused as refused:
            return page.render(
                "message.html", refused.status, title="Not yours", page="incidents", message=str(refused)
            )
        closed = in_the_way(audit, correcting, "")
        if closed is not None and closed.event_type is not AuditEventType.DECISION:
            message = f"This report was {closed_words(closed, page.deps.zone)}: there is nothing left to correct."
            back = {"path": f"/incidents/{correcting}", "label": "Open the report"}
            return page.render(
                "message.html", 409, title="Nothing to correct", page="incidents", message=message, back=back
            )
        typed = as_sent(found, page.deps.zone)
    context = form_context(
        page.deps.zone, page.deps.review.clock(), _choices(), typed, spoken=spoken_reports(), correcting=correcting
    )
    return page.render("incident_form.html", **context)


def may_correct(viewer: Viewer, event: AuditEvent) -> bool:
    """Whether the viewer may send a corrected copy of the report (ux_s16 #10): its reporter (`corrected_report`);
    the copy names the report it corrects, so it replaces it whatever its text and time (review_s16 #4)."""
    return event.actor == viewer.user_id


def as_sent(event: AuditEvent, zone: tzinfo) -> dict[str, str]:
    """The form's fields as the report was sent: its time in plant time, to the minute as the form takes it (none
    for a report that gives no time)."""
    sent = event.payload.get("incident") or {}
    when = _moment(sent.get("occurred_at"), zone)
    fields = ("narrative", "kind", "workcenter_code", "department", "shift_code", "job_no")
    return {
        **{name: str(sent[name]) for name in fields if sent.get(name)},
        **({"occurred_at": when.astimezone(zone).strftime("%Y-%m-%dT%H:%M")} if when is not None else {}),
    }


IncidentPage = Callable[[Page, str, AuditEvent], Response[str]]


def seen_incident(answer: IncidentPage) -> Callable[[str], Response[str]]:
    """A route of one incident: answered with its opening event when the viewer may see it, else 404."""

    @wraps(answer)
    def route(incident_id: str) -> Response[str]:
        page = Page(_deps())
        event = opening(page.deps.review.audit, incident_id)
        if event is None or not _may_see(page.viewer, event):
            message = "No such incident, or not yours to see."
            return page.render("message.html", 404, title="Not found", page="incident_list", message=message)
        return answer(page, incident_id, event)

    return route


@app.get("/incidents/<incident_id>")
@seen_incident
def incident(page: Page, incident_id: str, found: AuditEvent) -> Response[str]:
    query = _query()
    saved = query.get("saved", "")
    told = [note for (name, value), note in REPORT_NOTES.items() if query.get(name) == value]
    flash = SAVED.get(saved) or " ".join(told) or None
    return page.render(
        "incident.html",
        title="Incident",
        page="incident_list",
        flash=flash,
        error=UNSENT if saved == "unsent" else None,
        **_context(page, found),
    )


def _reason(typed: str | None, by: str) -> str | None:
    """The correction's reason as the queue's decisions read one (length, readable characters: the
    decision's own checks); CodeCorrectionError naming it otherwise."""
    try:
        return CallbackService.read_form(ApprovalAction.APPROVE.value, typed, by).reason
    except DecisionFormError as error:
        raise CodeCorrectionError(f"Reason: {error}") from None


def _saved_meanwhile(page: Page) -> Response[str]:
    """409: someone saved the codes after the page was opened (the form's `replaces` is not the newest decision)."""
    return page.render(
        "message.html",
        409,
        title="Already coded",
        page="incident_list",
        message="Someone saved this incident's codes a moment ago: open it again to see them.",
    )


def _replaced(page: Page, closing: AuditEvent) -> Response[str]:
    """409: the reporter's corrected report replaced this one, so nothing is decided or sent to Plex on it."""
    replacement_id = str(closing.payload.get(SUPERSEDED_BY))
    message = (
        f"Not saved: {page.who(closing.actor)} sent a corrected report of the same text and time on "
        f"{page.local(closing.occurred_at)} ({_newer_name(page, closing)}), which replaces this one. Code that report "
        "instead: this one is no longer confirmed or sent to Plex."
    )
    back = {"path": f"/incidents/{replacement_id}", "label": "Open the corrected report"}
    return page.render("message.html", 409, title="Replaced", page="incident_list", message=message, back=back)


def _withdrawn(page: Page, context: dict[str, Any]) -> Response[str]:
    """409: the report was withdrawn, so nothing is decided, sent or withdrawn again on it."""
    closing = context["withdrawn"]
    lead = context["withdrawn_lead"]
    what = f"withdrawn by {context['withdrawn_by']}" if ground_of(closing) == MISTAKE else f"set aside ({lead})"
    message = (
        f"Not done: this report was {what} at {page.local(closing.occurred_at)}: {context['withdrawn_why']}. Nothing "
        "of it is coded or sent to Plex."
    )
    return page.render("message.html", 409, title="Withdrawn", page="incident_list", message=message)


def _withdraw(page: Page, found: AuditEvent, context: dict[str, Any], form: dict[str, str]) -> Response[str]:
    """The withdrawal form (sent by mistake) and the EHS lead's setting aside (not an incident, a duplicate): 400
    without a readable reason or a report it duplicates (the page again, what was typed kept), 403 for a setting aside
    by anyone but the EHS lead or an admin, 409 when it can no longer be done (or a decision was recorded at the same
    moment), else recorded and back to the page."""
    role = _withdrawer(page.viewer, found)
    typed = form.get("reason")
    audit = page.deps.review.audit
    try:
        ground, duplicate_of = read_ground(form)
        if ground in SET_ASIDE and not page.viewer.roles & CODERS:
            message = "Only the EHS lead or an admin sets a report aside as not an incident or a duplicate."
            return page.render("message.html", 403, title="Refused", page="incident_list", message=message)
        if ground not in SET_ASIDE and not _withdraws(page.viewer, found):
            message = "Only its reporter (or an admin) withdraws a report sent by mistake: set it aside instead."
            return page.render("message.html", 403, title="Refused", page="incident_list", message=message)
        reason = read_reason(typed)
        other = opening(audit, duplicate_of) if duplicate_of else None
        at = page.deps.review.clock()
        withdraw(
            audit, found, by=page.viewer.user_id, role=role, reason=reason, at=at, ground=ground, duplicate_of=other
        )
    except WithdrawalFormError as error:
        kept = {"ground": form.get("ground", ""), "duplicate_of": form.get("duplicate_of", ""), "reason": typed or ""}
        again = {**context, "set_aside": kept} if form.get("ground") else {**context, "withdraw_reason": typed or ""}
        return page.render(
            "incident.html", 400, title="Incident", page="incident_list", flash=None, error=str(error), **again
        )
    except WithdrawalRefused as error:
        undone = "Not set aside" if ground in SET_ASIDE else "Not withdrawn"
        back = {"path": f"/incidents/{found.finding_id}", "label": "Open the report again"}
        return page.render(
            "message.html", 409, title=undone, page="incident_list", message=f"{undone}: {error}", back=back
        )
    page.deps.review.queue.mark_closed(str(found.finding_id))
    done = "set_aside" if ground in SET_ASIDE else "withdrawn"
    return page.redirect(f"/incidents/{found.finding_id}?saved={done}")


def _answered_meanwhile(page: Page, found: AuditEvent) -> Response[str]:
    """409 for a save that met another answer recorded at the same moment (the audit's conflict): a withdrawal or a
    setting aside (who, when, why), the reporter's corrected report, else someone's save of the codes."""
    context = _context(page, found)
    if context["withdrawn"] is not None:
        return _withdrawn(page, context)
    return _replaced(page, context["replaced_by"]) if context["replaced_by"] is not None else _saved_meanwhile(page)


@app.post("/incidents/<incident_id>")
@seen_incident
def correct(page: Page, incident_id: str, found: AuditEvent) -> Response[str]:
    context = _context(page, found)
    form = {key: values[-1] for key, values in _form().items()}
    if context["withdrawn"] is not None:
        return _withdrawn(page, context)
    if form.get("withdraw"):
        return _withdraw(page, found, context, form)
    if context["replaced_by"] is not None and page.viewer.roles & CODERS:
        return _replaced(page, context["replaced_by"])
    if form.get("send") == "again" and page.viewer.roles & CODERS and context["confirmed"] is not None:
        sent = _send(page, incident_id, context["confirmed"], context["decision"])
        return page.redirect(f"/incidents/{incident_id}?saved={'sent' if sent else 'unsent'}")
    if not context["may_code"]:
        return page.render(
            "message.html",
            403,
            title="Refused",
            page="incident_list",
            message="Only the EHS lead or an admin codes incidents.",
        )
    shown = context["decision"].event_id if context["decision"] is not None else ""
    if form.get("replaces", shown) != shown:  # the page showed a decision someone has replaced since
        return _saved_meanwhile(page)
    try:
        held = [earlier["name"] for earlier in context["replaces"] if earlier["in_plex"]]
        if held and form.get(PLEX_EARLIER) != "write":
            raise CodeCorrectionError(
                f"Plex holds the earlier report ({'; '.join(held)}) that this one replaces: tick the box to write this "
                "corrected report to Plex as a record of its own (and withdraw the earlier record in Plex)"
            )
        standing = decided_standing(page.deps.review.audit, found)
        if asked := [earlier["name"] for earlier in context["asks_to_correct"] if earlier["id"] in standing]:
            raise CodeCorrectionError(
                f"Not saved: this report asks you to correct {'; '.join(asked)}, which stands as decided. It is the "
                "same event: saving codes here would write a second record of it to Plex. Correct that report on its "
                "page, then set this one aside as a duplicate of it"
            )
        if context["time_to_fill"] and not form.get("confirm.occurred_at"):
            raise CodeCorrectionError(f"When it happened: {context['time_to_fill']}")
        codes = read_codes(form, _near_miss(found))
        injury = not _near_miss(found)  # an injury is confirmed with the time it happened, or that it is not known
        confirmed = read_confirmation(form, page.deps.zone, page.deps.review.clock(), _choices(), injury=injury)
        decided = correct_codes(
            page.deps.review.audit,
            found,
            codes,
            page.viewer.user_id,
            page.deps.review.clock(),
            _reason(form.get("reason"), page.viewer.user_id),
            confirmed,
            context["decision"],
        )
    except CodeCorrectionError as error:
        context["codes"] = {of.value: form.get(f"code.{of.value}", "") for of in Field}
        context["confirm"] = {name: form.get(f"confirm.{name}", "") for name in context["confirm"]}
        context["reason"] = form.get("reason", "")
        context["write_too"] = form.get(PLEX_EARLIER) == "write"
        # the confirmed field the refusal names ("When it happened: …"): marked, and told why beside it (ux_s17 M6)
        said = str(error)
        context["refused"] = next((n for n, label in CONFIRMED_LABELS.items() if said.startswith(f"{label}: ")), None)
        return page.render(
            "incident.html", 400, title="Incident", page="incident_list", flash=None, error=str(error), **context
        )
    except AuditConflictError:
        return _answered_meanwhile(page, found)
    page.deps.review.queue.mark_closed(incident_id)
    sent = _send(page, incident_id, confirmed_decision(decided), decided)
    corrected = _approved(context["decision"])  # a correction of codes saved before, not a first coding
    saved = "unsent" if not sent else "corrected" if corrected else "1"
    return page.redirect(f"/incidents/{incident_id}?saved={saved}")
