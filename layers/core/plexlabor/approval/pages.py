"""The approval pages: small, self-contained HTML (no external CSS, JS, fonts or images).

Every dynamic value goes through `html.escape`. The review page's form POSTs to its own URL
(no `action` attribute), so the token never appears anywhere but the address the supervisor opened.
The reader is a supervisor (`display.Reader`): people by name and employee number where supervisors
may see names, else by number; every time (evidence, correction, the link's validity) in plant time
with its date and zone; workcenters, jobs, operations and skills by their codes. Plex ids (the record,
the finding, ids in the evidence) appear only in the collapsed "Plex ids" detail (`display.split_ids`).
`closed_message` says who already decided a finding, by name or number (`what_happened`: the words every
page uses for a decided or expired item).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from html import escape
from typing import Any

from plexlabor.approval.callback import CLOSING_EVENTS
from plexlabor.approval.display import (
    MODEL_INPUTS,
    PLEX_IDS_CLASS,
    Reader,
    field_label,
    producer,
    reading_order,
    split_ids,
    with_known_people,
    with_people,
)
from plexlabor.approval.effects import finding_means, plex_effect
from plexlabor.approval.messages import Decision, Stage
from plexlabor.approval.ports import PendingApproval
from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import (
    ApprovalAction,
    AuditEvent,
    AuditEventType,
    LinkActionNotAllowedError,
    LinkAlreadyUsedError,
    LinkExpiredError,
    LinkForgedError,
    LinkWrongSupervisorError,
)
from plexlabor.audit.events import WITHDRAWN_BY, replaced, withdrawal
from plexlabor.platform.clock import utc_now
from plexlabor.platform.pilot import PUNCH_FINDING
from plexlabor.plex.settings import WriteMode

SECURITY_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
"""No caching (the page is per link), no Referer leaking the token, no framing, nothing external."""

CONTENT_TYPE = "text/html; charset=utf-8"

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Arial,sans-serif;margin:0;background:#f4f5f7;color:#1d1d1f}
main{max-width:720px;margin:24px auto;background:#fff;border:1px solid #dcdfe4;border-radius:8px;padding:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:20px 0 6px;color:#444}
.note{font-size:16px;margin:12px 0;padding:12px;background:#f7f9fc;border-left:4px solid #3a6ea5}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eceef1;vertical-align:top}
th{width:40%;color:#555;font-weight:600}
textarea{width:100%;box-sizing:border-box;min-height:70px;font:inherit;padding:8px}
.actions{display:flex;gap:12px;margin-top:12px}
button{font:inherit;font-size:15px;padding:10px 18px;border-radius:6px;border:1px solid transparent;cursor:pointer}
.approve{background:#1f7a3d;color:#fff}.reject{background:#fff;color:#a4262c;border-color:#a4262c}
.muted{color:#666;font-size:13px}.status{font-size:18px}
.problem{color:#a4262c;font-weight:600;margin:4px 0 8px}textarea[aria-invalid]{border:2px solid #a4262c}
details{margin-top:16px;font-size:13px;color:#555}summary{cursor:pointer}
"""


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _table(rows: Mapping[str, Any], reader: Reader, *, labels: bool = True) -> str:
    cells = "".join(
        f"<tr><th>{escape(field_label(str(key)) if labels else str(key))}</th>"
        f"<td>{escape(reader.value(value, str(key)))}</td></tr>"
        for key, value in rows.items()
    )
    return f"<table>{cells}</table>"


def _plex_ids(rows: Mapping[str, Any]) -> str:
    """The ids a supervisor may need to find the record in Plex, collapsed: never read as text otherwise."""
    cells = "".join(
        f"<tr><th>{escape(label)}</th><td><code>{escape(_plain(value))}</code></td></tr>"
        for label, value in rows.items()
        if value not in (None, "", [], {})
    )
    return f'<details class="{PLEX_IDS_CLASS}"><summary>Plex ids</summary><table>{cells}</table></details>'


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {_plain(item)}" for key, item in value.items())
    return str(value)


def sentence(text: str) -> str:
    """An error's words (written lower case, to be read after "because") as a sentence on a page."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def anomaly_label(anomaly_type: str) -> str:
    return anomaly_type.replace("_", " ").capitalize()


def sent_to_you(pending: PendingApproval, reader: Reader) -> str:
    """Why this link came to its supervisor and what happens if nobody answers it in time (ux141 #13: the
    facts read "Asked escalated to you"): "first: ... it goes to Lee Park (E00100)", "on escalation: Dana
    Smith (E00001), asked first, did not decide it in time; ...". An expired link has no such page (410)."""
    request = pending.request
    if pending.stage is Stage.ESCALATED:
        why = f"on escalation: {reader.person(request.supervisor_id)}, asked first, did not decide it in time"
        then = "it expires undecided"
    else:
        why = "first"
        escalation = request.escalation_supervisor_id
        then = f"it goes to {reader.person(escalation)}" if escalation else "it expires undecided"
    return f"{why}; if nobody decides it by the time below, {then}"


def _if_you_approve(
    pending: PendingApproval, correction: Mapping[str, Any], reader: Reader, mode: WriteMode, now: datetime
) -> str:
    """The suggested correction, or where the finding's suggestion corrects nothing (an overtime projection) what
    approving means in its kind's words (`effects.finding_means`, as of `now`'s plant day); then what the approval
    does in Plex in `mode`."""
    finding = pending.request.finding
    effect = plex_effect(PUNCH_FINDING, finding.record_key, finding.suggested_correction, mode)
    means = finding_means(finding.anomaly_type.value, finding.evidence, now.astimezone(reader.zone).date())
    heading = "Suggested correction" if correction and means is None else "If you approve"
    return (
        f"<h2>{heading}</h2>"
        + (f"<p>{escape(means)}</p>" if means else "" if correction else "<p>Approving confirms the finding.</p>")
        + (f'<p class="muted">{escape(effect)}</p>' if effect else "")  # says "the values below"
        + (_table(correction, reader) if correction else "")
    )


def review_page(
    pending: PendingApproval,
    supervisor_id: str,
    reader: Reader | None = None,
    *,
    problem: str | None = None,
    typed: str | None = None,
    mode: WriteMode = "dry_run",
    now: datetime | None = None,
) -> str:
    """GET (as of `now`, default the present): the finding, its evidence and note, and the Approve / Reject-with-reason
    form. After a form the
    callback refused (`problem`: a rejection without a reason, ux164 #11) the same page again, the problem said
    above the reason box, which keeps what was `typed`: the link is not used up, so the supervisor answers here."""
    reader = reader or Reader()
    finding = pending.request.finding
    # features and the signals the note words stay in the audit table; the day timeline is drawn on the item page
    left_out = {"features", "timeline", *MODEL_INPUTS}
    evidence, evidence_ids = split_ids(reading_order({k: v for k, v in finding.evidence.items() if k not in left_out}))
    correction, correction_ids = split_ids(finding.suggested_correction)
    facts = {
        "Employee": reader.person(finding.employee_id, pending.request.employee_number),
        "Confidence": f"{finding.confidence:.0%}",
        "Severity": finding.severity,
        "Produced by": producer(finding.model_version),
        "Sent to you": sent_to_you(pending, reader),
        "Link valid until": reader.time(pending.link_expires_at),
    }
    ids = {
        "Record": finding.record_key,
        "Finding": finding.finding_id,
        **{field_label(k): v for k, v in {**evidence_ids, **correction_ids}.items()},
        "Model version": finding.model_version,
    }
    body = (
        f"<h1>{escape(anomaly_label(finding.anomaly_type.value))}</h1>"
        f'<p class="muted">for supervisor {escape(reader.person(supervisor_id))} &middot; '
        f"times are plant time ({escape(reader.zone.key)})</p>"
        f'<p class="note">{escape(with_people(finding.note, reader, [finding.employee_id]))}</p>'
        f"{_table(facts, reader, labels=False)}"
        + (f"<h2>Evidence</h2>{_table(evidence, reader)}" if evidence else "")  # none left: the note says it all
        + _if_you_approve(pending, correction, reader, mode, now or utc_now())
        + '<form method="post">'
        '<h2><label for="reason">Reason</label></h2>'
        + (f'<p class="problem" id="problem" role="alert">{escape(sentence(problem))}</p>' if problem else "")
        + '<textarea id="reason" name="reason" maxlength="1000" '
        + ('aria-invalid="true" aria-describedby="problem" autofocus ' if problem else "")
        + f'placeholder="Required to reject; optional to approve">{escape(typed or "")}</textarea>'
        '<div class="actions">'
        f'<button class="approve" type="submit" name="action" value="{ApprovalAction.APPROVE.value}">Approve</button>'
        f'<button class="reject" type="submit" name="action" value="{ApprovalAction.REJECT.value}">Reject</button>'
        "</div>"
        '<p class="muted">Nothing is written to Plex unless you approve. This link works once.</p>'
        "</form>" + _plex_ids(ids)
    )
    return _document(f"Review: {anomaly_label(finding.anomaly_type.value)}", body)


def decision_page(
    decision: Decision, pending: PendingApproval, reader: Reader | None = None, mode: WriteMode = "dry_run"
) -> str:
    """POST, accepted: say what happened: an approval, what it does in Plex in the write mode `mode` (the item
    page's words, `approval.effects`); the employee named as the review page named them (`reader`)."""
    finding = pending.request.finding
    label = anomaly_label(finding.anomaly_type.value)
    if decision.action is ApprovalAction.APPROVE:
        headline = "Approved"
        correction = decision.correction or finding.suggested_correction
        detail = plex_effect(PUNCH_FINDING, finding.record_key, correction, mode) or ""
    else:
        headline = "Rejected"
        detail = "Nothing will be written to Plex. Your reason was recorded and helps the model learn."
    employee = (reader or Reader()).person(finding.employee_id, pending.request.employee_number)
    whose = "" if employee == finding.employee_id else f" for employee {employee}"  # never the bare id
    body = (
        f"<h1>{escape(headline)}</h1>"
        f'<p class="status">{escape(label)}{escape(whose)}</p>'
        f"<p>{escape(detail)}</p>"
        + (f"<p>Reason: {escape(decision.reason)}</p>" if decision.reason else "")
        + '<p class="muted">You can close this page.</p>'
    )
    return _document(headline, body)


def closing_event(events: Iterable[AuditEvent], item_id: str) -> AuditEvent | None:
    """What closed `item_id` (its decision, else the first closing event), None while it is open."""
    closing = [e for e in events if e.finding_id == item_id and e.event_type in CLOSING_EVENTS]
    return next((e for e in closing if e.event_type is AuditEventType.DECISION), closing[0] if closing else None)


def replaced_words(closing: AuditEvent, reader: Reader) -> str:
    """How a re-plan's closing (`audit.events.replaced`) reads: "Replaced by the re-plan after a call-off of Tomas
    Usman (E00163)", people named as `reader` names them (ux136 #2: it read as an expiry to enter by hand)."""
    if closing.payload.get("kind") == INCIDENT_CODING:  # the reporter's corrected resend (`incidents.service`)
        return "Replaced by the corrected report its reporter sent"  # no id as text (ux141 #13): its page links it
    after = str(closing.payload.get("replaced_after") or "")  # closings written before it was recorded: none
    named = with_people(after, reader, [closing.payload.get("replan_employee_id")]) if after else ""
    return "Replaced by the re-plan" + (f" after {named}" if named else "")


def withdrawn_words(closing: AuditEvent, reader: Reader) -> str | None:
    """How a withdrawal's closing (`audit.events.withdrawal`) reads: "Withdrawn by its reporter at …: the reason",
    "Set aside by the EHS lead at …: the reason" (not an incident, a duplicate; the incident's page says which)
    (ux164 #17: it read as an expiry), or None when `closing` is none."""
    said = withdrawal(closing)
    if said is None:
        return None
    who = WITHDRAWN_BY.get(str(said.get("by")), "someone")
    reason = str(said.get("reason") or "").strip() or "no reason recorded"
    how = "Set aside" if said.get("ground", "mistake") != "mistake" else "Withdrawn"  # not an incident, a duplicate
    return f"{how} by {who} at {reader.time(closing.occurred_at)}: {reason}"


def what_happened(closing: AuditEvent, reader: Reader) -> str:
    """What became of a closed item, in the one wording every page uses: "Approved by Dana Smith (E00042)
    on …", "Rejected by … on … (the reason)", "Expired on …, before anyone decided it", "Replaced by the
    re-plan after … on …", "Withdrawn by its reporter at …: the reason"."""
    when = reader.time(closing.occurred_at)
    if withdrawn := withdrawn_words(closing, reader):
        return f"{withdrawn.rstrip('.')}."
    if replaced(closing):
        return f"{replaced_words(closing, reader)} on {when}, before anyone decided it."
    if closing.event_type is AuditEventType.EXPIRED:
        return f"Expired on {when}, before anyone decided it."
    reason = str(closing.payload.get("reason") or "").strip() if closing.event_type is AuditEventType.DECISION else ""
    reason = with_known_people(reason, reader)  # a swap's "swapped for <id> on the crew board" names the person
    status = closing.status.value.replace("_", " ").capitalize()
    return f"{status} by {reader.person(closing.actor)} on {when}" + (f" ({reason})" if reason else "") + "."


def closed_message(events: Iterable[AuditEvent], finding_id: str, reader: Reader, noun: str = "finding") -> str | None:
    """Why `finding_id` can no longer be decided, naming who decided it and when (as `reader` names
    people and times; `what_happened`'s words); None when `events` (its record's history) show it still open.
    `noun` is what the page calls it (a mailed link a finding, the review queue a suggestion)."""
    first = closing_event(events, finding_id)
    if first is None:
        return None
    if replaced(first) or withdrawal(first) is not None:
        return f"This suggestion was no longer needed: {what_happened(first, reader)}"
    if first.event_type is AuditEventType.EXPIRED:
        return f"This approval request expired on {reader.time(first.occurred_at)}, before a decision was made."
    happened = what_happened(first, reader)
    return f"This {noun} was already {happened[0].lower()}{happened[1:]}"


_TITLES = {400: "Please complete the form", 403: "Link not valid", 404: "Not found", 410: "Link no longer active"}

LINK_WORDS: dict[type[Exception], str] = {
    LinkForgedError: "This link is damaged or incomplete; open it from the e-mail again.",
    LinkExpiredError: "This approval link has expired.",
    LinkAlreadyUsedError: "This approval link was used already: each link works once.",
    LinkWrongSupervisorError: "This approval link was sent to another supervisor; open the one in your own e-mail.",
    LinkActionNotAllowedError: "This approval link does not allow that action.",
}
"""What a refused link says to the person holding it (ux164 #17: "invalid approval link: not base64url"); the
signer's own words, for the log, name the technical cause."""


def refusal_words(error: Exception) -> str:
    """A refusal as a sentence for the page: a refused link in `LINK_WORDS`' words, anything else its own."""
    for cls in type(error).__mro__:
        if cls in LINK_WORDS:
            return LINK_WORDS[cls]
    return sentence(str(error))


def escalated_message(escalation: PendingApproval, reader: Reader) -> str:
    """What a link says after its finding was escalated to someone else (ux164 #15: it said only that it had
    expired): who has it now, and since when, as `reader` names people and times."""
    return (
        f"This approval link no longer works: the finding was escalated to {reader.person(escalation.supervisor_id)}, "
        f"the next supervisor up, on {reader.time(escalation.notified_at)}, who can decide it now."
    )


SERVER_ERROR_MESSAGE = "The decision could not be processed right now. Please try the link again in a few minutes."
"""What a server error says: its cause (a setting, an AWS error) is logged, never shown."""


QUEUE_FROM_LINK = "../queue"
"""The web app's review queue from an approval link's page (`<stage>/approvals/<token>`: the same API)."""


def error_page(status: int, message: str = SERVER_ERROR_MESSAGE) -> str:
    """A refused or failed link; an expired, used or invalid one points to the review queue, where the
    finding waits while it is still open (escalated, or decided there)."""
    title = _TITLES.get(status, "Something went wrong")
    body = f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
    if status in (403, 410):
        body += f'<p><a href="{QUEUE_FROM_LINK}">Open the review queue</a>: what still waits for you is there.</p>'
    if status < 500:
        body += '<p class="muted">Nothing was changed by this request.</p>'
    return _document(title, body)
