"""The incidents waiting for the EHS lead, and the e-mail digest review_sweep sends them (`IncidentWaitlist`).

Waiting means: codes to settle (the model was not sure, or there was none) or automatic codes to confirm before
anything goes to Plex (`listing.WAITING`); not decided, replaced or withdrawn. The digest names them all, those a
rollout scope held out of the queue too (recorded before incident codings were `platform.pilot.NEVER_HELD`: an
incident is a safety record, and they reach the EHS lead through the digest and the list only). They are
read from the audit table's kind index (`incident_coding`: openings, decisions, closings and the notices of
incidents), page after page (`kindindex.incident_events`), from plant-local midnight of the first day of the incident
list's longest period on (`waiting_since`): the period its links open (`/incidents?status=waiting&from=…&to=…`), so
every incident the digest counts is on the list, however long ago it was reported; the review queue looks back 30
days only. What each incident's recipients were told comes from its `notification` events in the same read, so
an incident is in one digest per recipient, never again.

The digest counts what is new since the last one (to code, to confirm; injuries and near misses), names at most
`LINES_PER_GROUP` of each as kind, workcenter and when it was reported, each linking its page, and says how many wait
in all. A resend asking the EHS lead to correct a report she decided (`ListedIncident.correction_to_make`, ux_s13
#16) is a group of its own: its line says when the report it asks to correct was decided and links that report's
page; the group links the list's `correction` filter. It holds no narrative and no person (neither the reporter, nor
who decided, nor anyone the text names): what happened to whom is read on the incident's page, after signing in
(docs/approval.md: names only where the reader may see them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from plexlabor.approval.digest import PRODUCT, EmailContent
from plexlabor.audit import AuditEvent, AuditEventType, AuditStore
from plexlabor.incidents.kindindex import incident_events
from plexlabor.incidents.listing import WAITING, ListedIncident, Standing, fold, longest_period_start
from plexlabor.incidents.oiics import coded_words
from plexlabor.incidents.service import decision_of
from plexlabor.platform.clock import local_midnight

LINES_PER_GROUP = 5
TO_DO = {"correction": "to correct a decided report", "coding": "to code", "awaiting": "to confirm"}
"""What the subject says each group asks of the EHS lead."""


@dataclass(frozen=True)
class WaitingIncident:
    """One incident waiting for the EHS lead, and who was told of it already (recipient ids)."""

    listed: ListedIncident
    told: frozenset[str]
    decided_at: tuple[tuple[str, datetime | None], ...] = ()
    """The decided reports it asks the EHS lead to correct, each with when it was last decided (None: not found)."""

    @property
    def incident_id(self) -> str:
        return self.listed.incident_id

    @property
    def record_key(self) -> str:
        return self.listed.opening.record_key

    @property
    def reported_at(self) -> datetime:
        return self.listed.opening.occurred_at

    @property
    def to_confirm(self) -> bool:
        """Coded automatically: the EHS lead confirms it (else she codes it)."""
        return self.listed.standing is Standing.AWAITING


def told_of(events: Iterable[AuditEvent]) -> dict[str, set[str]]:
    """Incident id -> the recipients its `notification` events name."""
    told: dict[str, set[str]] = {}
    for event in events:
        if event.event_type is AuditEventType.NOTIFICATION and event.finding_id:
            recipient = str(event.payload.get("recipient") or event.supervisor_id or "")
            told.setdefault(event.finding_id, set()).add(recipient)
    return told


def waiting_since(now: datetime, zone: ZoneInfo) -> datetime:
    """Since when waiting incidents are looked for: local midnight of the first day of the incident list's longest
    period to today (`listing.longest_period_start`), the list the digest's links open (review180 #6: 366 days back
    to the hour, a day before the list's first)."""
    return local_midnight(longest_period_start(now.astimezone(zone).date()), zone)


def waiting_incidents(audit: AuditStore, now: datetime, zone: ZoneInfo) -> list[WaitingIncident]:
    """The incidents reported since `waiting_since` that wait for the EHS lead (`listing.WAITING`), oldest first."""
    events = incident_events(audit, waiting_since(now, zone)).events
    told = told_of(events)
    folded = fold(events)

    def decided_at(incident_id: str) -> datetime | None:
        """When a report was last decided: from the events read, else its own (decided before `waiting_since`)."""
        listed = folded.get(incident_id)
        decision = listed.decision if listed is not None else decision_of(audit, incident_id)
        return decision.occurred_at if decision is not None else None

    waiting = [
        WaitingIncident(
            listed,
            frozenset(told.get(listed.incident_id, ())),
            tuple((decided, decided_at(decided)) for decided in listed.asks_to_correct),
        )
        for listed in folded.values()
        if listed.standing in WAITING
    ]
    return sorted(waiting, key=lambda w: (w.reported_at, w.incident_id))


@dataclass(frozen=True)
class IncidentWaitlist:
    """review_sweep's view of the incidents (`review.sweep.IncidentWaitlist`): what waits, and the digest of it."""

    audit: AuditStore
    app_url: str
    """The web app's base URL (`WEB_APP_URL`), without the trailing slash."""
    zone: ZoneInfo

    def waiting(self, now: datetime) -> list[WaitingIncident]:
        return waiting_incidents(self.audit, now, self.zone)

    def list_url(self, status: str, now: datetime) -> str:
        """The incident list of `status` over the longest period it reads, to today (plant time)."""
        today = now.astimezone(self.zone).date()
        query = {"status": status, "from": longest_period_start(today).isoformat(), "to": today.isoformat()}
        return f"{self.app_url}/incidents?{urlencode(query)}"

    def notice(self, new: Sequence[WaitingIncident], waiting: Sequence[WaitingIncident], now: datetime) -> EmailContent:
        """The digest telling the EHS lead of `new` (not in an earlier notice) among all that are `waiting`."""
        corrections = [w for w in new if w.listed.correction_to_make]
        others = [w for w in new if not w.listed.correction_to_make]
        groups = [
            ("Asking you to correct a decided report", "correction", corrections),
            ("To code (the model was not sure)", "coding", [w for w in others if not w.to_confirm]),
            ("Coded by the model, to confirm before they go to Plex", "awaiting", [w for w in others if w.to_confirm]),
        ]
        count = len(new)
        noun = "incident" if count == 1 else "incidents"
        subject = f"[{PRODUCT}] {count} new {noun} waiting for you: " + ", ".join(
            f"{len(found)} {TO_DO[status]}" for _, status, found in groups if found
        )
        lead = f"{count} {noun} no earlier notice named {'waits' if count == 1 else 'wait'} for you."
        every = self.list_url("waiting", now)
        total = f"In all {len(waiting)} {'incident waits' if len(waiting) == 1 else 'incidents wait'} for you"
        lines, sections = [lead, ""], []
        for label, status, found in groups:
            if not found:
                continue
            url = self.list_url(status, now)
            shown = found[:LINES_PER_GROUP]
            rows = [self._row(w) for w in shown]
            more = len(found) - len(shown)
            lines += [f"{label}: {len(found)} ({_kinds(found)})", *(f"  - {text}: {link}" for text, link in rows)]
            lines += [f"  ... and {more} more"] * bool(more) + [f"  all of them: {url}", ""]
            items = "".join(f'<li><a href="{escape(link, quote=True)}">{escape(text)}</a></li>' for text, link in rows)
            sections.append(
                f'<h3 style="margin:16px 0 4px">{escape(label)}: {len(found)} ({escape(_kinds(found))})</h3>'
                f'<ul style="margin:0 0 4px">{items}</ul>'
                + (f'<p style="margin:0;color:#555">and {more} more</p>' if more else "")
                + f'<p style="margin:4px 0"><a href="{escape(url, quote=True)}">Open them in the incident list</a></p>'
            )
        closing = "Nothing is written to Plex until you confirm the codes on the incident's page."
        lines += [f"{total}: {every}", closing]
        html = (
            '<!doctype html><html><body style="font-family:system-ui,Arial,sans-serif;color:#111">'
            f"<p>{escape(lead)}</p>"
            + "".join(sections)
            + f'<p><a href="{escape(every, quote=True)}">{escape(total)}</a>.</p><p>{escape(closing)}</p></body></html>'
        )
        return EmailContent(subject=subject, text="\n".join(lines), html=html)

    def _row(self, waiting: WaitingIncident) -> tuple[str, str]:
        """One line of the digest and the page it links: the incident's own, or for a correction request the decided
        report's (where she corrects it): "Injury at PRS-04, reported …: asks you to correct the report of it decided
        on Fri 2026-12-04 10:40 EST, then set this one aside"; one to confirm says what the model was sure of in the
        list's words (`oiics.coded_words`): "… — Partly coded: confirm the event group and source"."""
        line, page = self._line(waiting), waiting.incident_id
        if waiting.to_confirm and not waiting.listed.correction_to_make:  # as the list says it (ux_s16 #5)
            line += f" — {coded_words(waiting.listed.unsure)}"
        if waiting.decided_at:
            page = waiting.decided_at[0][0]
            known = [self._when(at) for _, at in waiting.decided_at if at is not None]
            decided = f"decided on {' and '.join(known)}" if known else "decided earlier"
            line += f": asks you to correct the report of it {decided}, then set this one aside"
        return line, f"{self.app_url}/incidents/{page}"

    def _when(self, at: datetime) -> str:
        return at.astimezone(self.zone).strftime("%a %Y-%m-%d %H:%M %Z")

    def _line(self, waiting: WaitingIncident) -> str:
        """One line of the digest, "Injury at PRS-04, reported Fri 2026-12-04 10:30 EST": no narrative, no person."""
        listed = waiting.listed
        where = f" at {listed.workcenter}" if listed.workcenter else ""
        return f"{'Near miss' if listed.near_miss else 'Injury'}{where}, reported {self._when(waiting.reported_at)}"


def _kinds(found: Sequence[WaitingIncident]) -> str:
    """How many injuries and near misses: "2 injuries, 1 near miss"."""
    near = sum(1 for w in found if w.listed.near_miss)
    injuries = len(found) - near
    parts = [(injuries, "injury", "injuries"), (near, "near miss", "near misses")]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)
