"""The review notice: one e-mail per recipient per sweep, the waiting recommendations grouped by kind.

It counts what is new for its reader (`WHAT_IS_COUNTED`, said in the mail): the items addressed to them
or their role and not in an earlier notice, never the queue's total. Each kind gets its count, the
first `NOTES_PER_KIND` notes (highest rank first) and a link to the review queue filtered to that kind,
where they are decided. Plain text and HTML (inline styles only, everything escaped); no per-item
links: the queue is where a signed-in person decides. The notes are the audit's (written with ids);
each person in one is named as the reader may see them (`Reader`: "Dana Smith (E00042)" or the
employee number).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import urlencode

from plexlabor.approval.digest import PRODUCT, EmailContent
from plexlabor.approval.display import Reader, with_people
from plexlabor.review.items import ReviewItem

NOTES_PER_KIND = 5
WHAT_IS_COUNTED = (
    "addressed to you or to your role, and not in an earlier notice. The review queue lists every open"
    " suggestion you may decide, so it can show more: those you were told about before, punch findings"
    " (mailed on their own: each with its approval link, or escalations in a digest of their own) and everything"
    " about your departments."
)
"""Why the notice's count is not the queue's: the notice counts what is new for its reader (ux104 #22)."""


def kind_url(queue_url: str, kind: str) -> str:
    """The queue, filtered to one kind."""
    return f"{queue_url}?{urlencode({'kind': kind})}"


def _groups(items: Sequence[ReviewItem]) -> list[tuple[str, str, list[ReviewItem]]]:
    """(kind, label, items highest rank first), largest group first."""
    by_kind: dict[str, list[ReviewItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    groups = [
        (kind, found[0].kind_label, sorted(found, key=lambda i: (-i.rank, i.item_id)))
        for kind, found in by_kind.items()
    ]
    return sorted(groups, key=lambda group: (-len(group[2]), group[1]))


def _note(item: ReviewItem, reader: Reader) -> str:
    return with_people(item.note, reader, (item.employee_id, item.supervisor_id))


def compose_notice(items: Sequence[ReviewItem], queue_url: str, reader: Reader, *, escalated: int = 0) -> EmailContent:
    """The e-mail telling one person (`reader`) what waits for them in the review queue."""
    count = len(items)
    noun = "suggestion" if count == 1 else "suggestions"
    subject = f"[{PRODUCT}] {count} new {noun} for your review" + (
        f" ({escalated} escalated to you)" if escalated else ""
    )
    groups = _groups(items)
    counted = f"{count} {noun} {'is' if count == 1 else 'are'} new for you since the last notice: {WHAT_IS_COUNTED}"
    lines = [counted, ""]
    sections = []
    for kind, label, found in groups:
        url = kind_url(queue_url, kind)
        shown = found[:NOTES_PER_KIND]
        more = len(found) - len(shown)
        lines += [f"{label}: {len(found)}", *(f"  - {_note(item, reader)}" for item in shown)]
        if more:
            lines.append(f"  ... and {more} more")
        lines += [f"  review: {url}", ""]
        notes = "".join(f"<li>{escape(_note(item, reader))}</li>" for item in shown)
        sections.append(
            f'<h3 style="margin:16px 0 4px">{escape(label)}: {len(found)}</h3>'
            f'<ul style="margin:0 0 4px">{notes}</ul>'
            + (f'<p style="margin:0;color:#555">and {more} more</p>' if more else "")
            + f'<p style="margin:4px 0"><a href="{escape(url, quote=True)}">Review {escape(label.lower())}</a></p>'
        )
    lines.append("Nothing is changed in Plex until someone approves it in the queue.")
    html = (
        '<!doctype html><html><body style="font-family:system-ui,Arial,sans-serif;color:#111">'
        f"<p>{count} {escape(noun)} {'is' if count == 1 else 'are'} new for you since the last notice in the "
        f'<a href="{escape(queue_url, quote=True)}">review queue</a>: {escape(WHAT_IS_COUNTED)}</p>'
        + "".join(sections)
        + "<p>Nothing is changed in Plex until someone approves it in the queue.</p></body></html>"
    )
    return EmailContent(subject=subject, text="\n".join(lines), html=html)
