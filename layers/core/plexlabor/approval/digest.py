"""The digest e-mail: one message per supervisor per batch, listing every finding awaiting them.

Plain text and HTML (inline styles only, everything escaped). Employees appear by their
pseudonymous id, never by name; the links are the only way to act and are never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from plexlabor.approval.messages import Stage
from plexlabor.approval.ports import Digest, DigestItem

PRODUCT = "plexlabor"


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def _when(item: DigestItem) -> str:
    return item.expires_at.strftime("%Y-%m-%d %H:%M UTC")


def employee_label(number: str | None, employee_id: str | None) -> str:
    """`E00042` when the plant's number is known, else the pseudonymous id."""
    return number or employee_id or "-"


def _label(item: DigestItem) -> str:
    return item.finding.anomaly_type.value.replace("_", " ").lower()


def compose_digest(digest: Digest) -> EmailContent:
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
            f"   {finding.note}",
            f"   employee {employee_label(item.employee_number, finding.employee_id)} | record {finding.record_key} | "
            f"confidence {finding.confidence:.0%}",
            f"   review: {item.link_url}",
            f"   link expires {_when(item)}",
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
        + f'<div style="color:#333">{escape(item.finding.note)}</div></td>'
        f'<td style="padding:8px;border-bottom:1px solid #ddd">'
        f"{escape(employee_label(item.employee_number, item.finding.employee_id))}</td>"
        f'<td style="padding:8px;border-bottom:1px solid #ddd">{item.finding.confidence:.0%}</td>'
        f'<td style="padding:8px;border-bottom:1px solid #ddd"><a href="{escape(item.link_url, quote=True)}">'
        f'Review</a><div style="color:#666;font-size:12px">until {escape(_when(item))}</div></td>'
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


def compose_chat(digest: Digest) -> str:
    """The chat nudge: counts only. Links stay in the e-mail, because a chat webhook is one channel
    shared by every supervisor and a link is a bearer credential until it is used."""
    count = len(digest.items)
    return (
        f"{PRODUCT}: {count} labor finding{'s' if count != 1 else ''} await supervisor {digest.supervisor_id}'s "
        "approval; the links are in their e-mail."
    )
