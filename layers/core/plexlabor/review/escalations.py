"""review_sweep's digest of the punch-finding escalations approval_notify held (ux164 #15: a supervisor got nine
escalation mails in a minute, one per finding, as each finding's wait ran out on its own).

approval_notify mails the first escalation to a person at once, with its signed link; further escalations to them
within `approval.notified.ESCALATION_HOLD` of an escalation mail (that one while its link works, or one of this
sweep's, this digest included: `notified.holds_escalations`) are recorded `escalated` with payload `mail: held` and
no mail, whatever their wait (until 2026-12-05 only waits of an hour or more). Each
run of the sweep sends each such person one e-mail listing those still open and not yet told of (`compose_held`:
each finding's type, employee and note with a link to its page in the web app, where a signed-in person decides,
and one to the queue filtered to punch findings; no signed link: the sweep holds no signing key), then a
`notification` event per item (stage `escalated`), which the next run reads to leave it out.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from html import escape
from typing import TYPE_CHECKING

from plexlabor.approval.digest import PRODUCT, EmailContent
from plexlabor.approval.display import Reader, with_people
from plexlabor.approval.messages import Stage
from plexlabor.approval.notified import HELD, Sent, record_sent
from plexlabor.approval.ports import SupervisorDirectory
from plexlabor.audit import AuditStatus, AuditStore
from plexlabor.review.items import PUNCH, ReviewItem
from plexlabor.review.notices import kind_url
from plexlabor.review.told import record_told, to_read

if TYPE_CHECKING:  # the sweep calls this module; its port is only named here
    from plexlabor.review.sweep import Mailer

logger = logging.getLogger(__name__)

ACTOR = "review_sweep"


def item_url(queue_url: str, item_id: str) -> str:
    """An item's page in the web app (`<app>/items/<id>`: a finding id, no personal data), beside its queue."""
    return f"{queue_url.removesuffix('/queue')}/items/{item_id}"


def compose_held(items: Sequence[ReviewItem], queue_url: str, reader: Reader) -> EmailContent:
    """The digest of held escalations for one supervisor (`reader`): each finding by its type, employee (as
    `SHOW_NAMES_TO` lets a supervisor see them) and note, with a link to its page in the web app (sign-in)."""
    count = len(items)
    findings = "labor finding" if count == 1 else "labor findings"
    subject = f"[{PRODUCT}] {count} {findings} escalated to you"
    intro = (
        f"{count} {findings} {'was' if count == 1 else 'were'} escalated to you since your last escalation e-mail: "
        "the supervisor asked first did not decide them in time. Open each to decide it in the review queue (sign in)."
    )
    lines, rows = [intro, ""], []
    for number, item in enumerate(items, start=1):
        who = reader.person(item.employee_id)
        note = with_people(item.note, reader, (item.employee_id, item.supervisor_id))
        url = item_url(queue_url, item.item_id)
        lines += [f"{number}. {item.type_label}, {who}", f"   {note}", f"   review: {url}", ""]
        rows.append(
            f"<li><strong>{escape(item.type_label)}</strong>, {escape(who)}<br>{escape(note)}<br>"
            f'<a href="{escape(url, quote=True)}">Review it</a></li>'
        )
    everything = kind_url(queue_url, PUNCH)
    lines += [f"All of them: {everything}", "Nothing is changed in Plex until someone approves it."]
    html = (
        '<!doctype html><html><body style="font-family:system-ui,Arial,sans-serif;color:#111">'
        f"<p>{escape(intro)}</p><ol>{''.join(rows)}</ol>"
        f'<p><a href="{escape(everything, quote=True)}">All of them in the queue</a></p>'
        "<p>Nothing is changed in Plex until someone approves it.</p></body></html>"
    )
    return EmailContent(subject=subject, text="\n".join(lines), html=html)


@dataclass(frozen=True)
class HeldEscalations:
    """What the digest of held escalations reads and sends through (the sweep's own ports)."""

    audit: AuditStore
    directory: SupervisorDirectory
    mailer: Mailer
    queue_url: str
    reader: Reader

    def mail(self, open_items: Sequence[ReviewItem], now: datetime) -> dict[str, int]:
        """One mail per person with held escalations still open and untold; counts as the sweep's result has them
        (`escalated`: items told, `mails`, `unsent`, `unrouted`: a person with no address)."""
        waiting = self._waiting({item.item_id: item for item in open_items})
        counts = {"escalated": 0, "mails": 0, "unsent": 0, "unrouted": 0}
        for person, items in waiting.items():
            address = self.directory.address_of(person)
            if not address:
                counts["unrouted"] += len(items)
                continue
            content = compose_held(items, self.queue_url, self.reader.for_roles(["supervisor"]))
            try:
                message_id = self.mailer.send_email(address, content)
            except Exception:
                logger.exception("held escalations not mailed", extra={"recipient": person})
                counts["unsent"] += len(items)
                continue
            counts["mails"] += 1
            record = partial(self._record, person=person, message_id=message_id, now=now)
            told = record_told(items, record, lambda item: item.item_id)
            counts["escalated"] += len(told)
            counts["unsent"] += len(items) - len(told)
        return counts

    def _waiting(self, open_items: Mapping[str, ReviewItem]) -> dict[str, list[ReviewItem]]:
        """Person -> the open items escalated to them and held, that no escalation notice told them of: the open
        punch findings escalated (the queue's full read of the `escalated` index), each read from its own events
        (`review.told`); they were picked from the plant's `escalated` and `notified` events of the lookback, oldest
        first and capped at 50,000, whose newest, the held ones and this digest's own notices, fell off in a
        plant past the cap (review_s13 L3)."""
        escalated = [item for item in open_items.values() if item.kind == PUNCH and item.escalated_to]
        waiting: dict[str, list[ReviewItem]] = defaultdict(list)
        for item in to_read(escalated, "held escalations"):
            person = self._held_untold(item.item_id)
            if person is not None:
                waiting[person].append(item)
        return waiting

    def _held_untold(self, finding_id: str) -> str | None:
        """The person the finding's escalation was held for (approval_notify's, `HELD`), if no escalation notice of
        it went to them; None otherwise."""
        events = self.audit.for_finding(finding_id)
        person = next(
            (
                event.supervisor_id
                for event in events
                if event.status is AuditStatus.ESCALATED and event.payload.get("mail") == HELD
            ),
            None,
        )
        told = any(
            event.status is AuditStatus.NOTIFIED
            and event.supervisor_id == person
            and event.payload.get("stage") == Stage.ESCALATED.value
            for event in events
        )
        return None if person is None or told else person

    def _record(self, item: ReviewItem, *, person: str, message_id: str | None, now: datetime) -> None:
        sent = Sent(item.record_key, item.item_id, item.employee_id, person, Stage.ESCALATED, now, ACTOR, message_id)
        record_sent(
            self.audit,
            sent,
            sending=(Stage.ESCALATED.value, person),
            escalated={},  # recorded by approval_notify when it held the escalation
            details={"recipient": person, "kind": item.kind, "held": True},
        )
