"""The digest e-mail: one message per supervisor per batch, listing every finding awaiting them.

Plain text and HTML (inline styles only, everything escaped). The reader is a supervisor: employees
appear by name and employee number where supervisors may see names (`SHOW_NAMES_TO`), else by number
(else the pseudonymous id), and every time is plant time with its date and zone (`display.Reader`);
no Plex id is written out (the record is on the page the link opens, under "Plex ids").
The links are the only way to act and are never logged. `DigestMailer` is the `Notifier` that
composes each digest this way and sends it (through `SesNotifier.send_email` on AWS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Protocol

from plexlabor.approval.display import Reader, with_people
from plexlabor.approval.messages import Stage
from plexlabor.approval.ports import Digest, DigestItem

PRODUCT = "plexlabor"


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def _employee(item: DigestItem, reader: Reader) -> str:
    return reader.person(item.finding.employee_id, item.employee_number)


def _note(item: DigestItem, reader: Reader) -> str:
    return with_people(item.finding.note, reader, [item.finding.employee_id])


def _label(item: DigestItem) -> str:
    return item.finding.anomaly_type.value.replace("_", " ").lower()


def compose_digest(digest: Digest, reader: Reader | None = None) -> EmailContent:
    """The e-mail for `digest`, as `reader` (default: UTC, numbers only) reads it."""
    reader = reader or Reader()
    count = len(digest.items)
    escalated = sum(1 for item in digest.items if item.stage is Stage.ESCALATED)
    noun = "finding awaits" if count == 1 else "findings await"
    subject = f"[{PRODUCT}] {count} labor {noun} your approval"
    if escalated:
        subject += f" ({escalated} escalated)"

    lines = [f"{count} labor {noun} your decision. Each link works once, for you only.", ""]
    for number, item in enumerate(digest.items, start=1):
        finding = item.finding
        lines += [
            f"{number}. {_label(item)}" + (" (escalated to you)" if item.stage is Stage.ESCALATED else ""),
            f"   {_note(item, reader)}",
            f"   employee {_employee(item, reader)} | confidence {finding.confidence:.0%}",
            f"   review: {item.link_url}",
            f"   link expires {reader.time(item.expires_at)}",
            "",
        ]
    if digest.queue_url:
        lines.append(f"All your open items, of every kind, in the review queue: {digest.queue_url}")
    lines.append("Nothing is changed in Plex until you approve.")
    text = "\n".join(lines)

    rows = "".join(
        "<tr>"
        f'<td style="padding:8px;border-bottom:1px solid #ddd">{escape(_label(item))}'
        + (' <b style="color:#a15c00">escalated</b>' if item.stage is Stage.ESCALATED else "")
        + f'<div style="color:#333">{escape(_note(item, reader))}</div></td>'
        f'<td style="padding:8px;border-bottom:1px solid #ddd">'
        f"{escape(_employee(item, reader))}</td>"
        f'<td style="padding:8px;border-bottom:1px solid #ddd">{item.finding.confidence:.0%}</td>'
        f'<td style="padding:8px;border-bottom:1px solid #ddd"><a href="{escape(item.link_url, quote=True)}">'
        f'Review</a><div style="color:#666;font-size:12px">until {escape(reader.time(item.expires_at))}</div></td>'
        "</tr>"
        for item in digest.items
    )
    html = (
        '<!doctype html><html><body style="font-family:system-ui,Arial,sans-serif;color:#111">'
        f"<p>{count} labor {escape(noun)} your decision. Each link works once, for you only.</p>"
        '<table style="border-collapse:collapse">'
        '<tr><th align="left">Finding</th><th align="left">Employee</th><th align="left">Confidence</th>'
        "<th></th></tr>"
        f"{rows}</table>"
        + (
            f'<p>All your open items, of every kind: <a href="{escape(digest.queue_url, quote=True)}">review queue</a>'
            "</p>"
            if digest.queue_url
            else ""
        )
        + "<p>Nothing is changed in Plex until you approve.</p></body></html>"
    )
    return EmailContent(subject=subject, text=text, html=html)


def compose_chat(digest: Digest, reader: Reader | None = None) -> str:
    """The chat nudge: counts only. Links stay in the e-mail, because a chat webhook is one channel
    shared by every supervisor and a link is a bearer credential until it is used."""
    count = len(digest.items)
    supervisor = (reader or Reader()).person(digest.supervisor_id)
    return (
        f"{PRODUCT}: {count} labor finding{'s' if count != 1 else ''} await supervisor {supervisor}'s "
        "approval; the links are in their e-mail."
    )


class EmailSender(Protocol):
    def send_email(self, address: str, content: EmailContent) -> str | None:
        """Send one e-mail; the channel's message id, if any. Raise on failure."""
        ...


@dataclass
class DigestMailer:
    """A `Notifier`: composes each digest for its reader (names where supervisors may see them, plant
    time) and sends it through `sender` (`SesNotifier` on AWS)."""

    sender: EmailSender
    reader: Reader = field(default_factory=Reader)

    def send(self, digest: Digest) -> str | None:
        return self.sender.send_email(digest.address, compose_digest(digest, self.reader))
