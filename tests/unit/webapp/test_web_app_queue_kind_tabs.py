"""Every kind tab the queue renders links to a filter the queue accepts (ux_s14 #5: "Crew removal" answered 400)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from plexlabor.approval.recommendations import WRITABLE_KINDS
from plexlabor.platform.pilot import REVIEW_KINDS
from plexlabor.review.queue import PUNCH, ROLE_KINDS
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, finding_event, recommendation, web_deps
from tests.unit.webapp.viewers import ADMIN

QUEUE_KINDS = frozenset({PUNCH, *WRITABLE_KINDS}.union(*ROLE_KINDS.values()))
"""Every kind the queue routes to someone or writes to Plex: what its tabs may show."""
TAB = re.compile(r'<a href="/dev/queue\?kind=([^"&]+)"')


def test_every_kind_the_queue_routes_is_one_it_filters_by() -> None:
    assert QUEUE_KINDS - set(REVIEW_KINDS) == set()


def test_every_tab_the_queue_renders_narrows_the_queue_to_its_kind(lambda_context: Any) -> None:
    # Given one open item of every kind the queue knows
    world = World()
    finding_event(world, "f-000000000000000000000001", confidence=0.9, severity="high")
    for number, kind in enumerate(sorted(QUEUE_KINDS - {PUNCH})):
        recommendation(world, f"item-{number:04d}", kind, department="ASSY")
    deps = web_deps(world)
    # When the admin opens the queue, then each of its tabs
    queue = call_web(deps, "GET", "/queue", ADMIN, lambda_context)
    tabs = [unescape(kind) for kind in TAB.findall(queue["body"])]
    assert set(tabs) == QUEUE_KINDS
    for kind in tabs:
        narrowed = call_web(deps, "GET", "/queue", ADMIN, lambda_context, query={"kind": kind})
        # Then each is a 200 showing that kind's tab as the one chosen, and one item
        assert narrowed["statusCode"] == 200, (kind, narrowed["body"][:2000])
        assert f'kind={kind}" aria-current="true"' in narrowed["body"]
        assert "1 open suggestion" in narrowed["body"], kind
