"""One term per thing (ux104 #19): the queue's rows, chips and Type filter, the item page and the KPIs name
each kind and anomaly type with the same words (`review.items.type_label`); the KPI page names the model
that made a suggestion without its version hash."""

from __future__ import annotations

from typing import Any

from plexlabor.review.items import type_label
from tests.support import make_finding
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, open_finding, recommendation, web_deps
from tests.unit.webapp.viewers import ADMIN

KINDS = {
    "crew_unstaffed": "Short seat",
    "cross_training": "Cross-training",
    "certification_used_while_lapsed": "Worked on a lapsed certification",
}


def _world() -> World:
    world = World()
    finding = make_finding(
        finding_id="f-000000000000000000000005",
        record_key="time-clock-entries:0005",
        anomaly_type="EARLY_CLOCK_OUT",
        model_version="scorer-beaa04a9bd+norms-1795237200",
    )
    open_finding(world, finding)
    for number, kind in enumerate(KINDS):
        recommendation(world, f"rec-{number}", kind)
    return world


def test_the_queue_filter_offers_the_types_in_the_words_of_the_rows(lambda_context: Any) -> None:
    body = call_web(web_deps(_world()), "GET", "/queue", ADMIN, lambda_context)["body"]

    assert '<option value="EARLY_CLOCK_OUT">Early clock out</option>' in body
    assert ">EARLY_CLOCK_OUT<" not in body
    for label in KINDS.values():
        assert f"{label} (1)</a>" in body  # the kind's chip


def test_the_kpis_name_kinds_types_and_models_as_the_queue_does(lambda_context: Any) -> None:
    body = call_web(web_deps(_world()), "GET", "/kpis", ADMIN, lambda_context)["body"]
    table = body.split('id="by-kind"')[1].split("</table>")[0]

    for label in KINDS.values():
        assert f"<td>{label}</td>" in table
    assert "Crew unstaffed" not in table and "Cross training" not in table
    assert "Certification used while lapsed" not in table
    assert "<td>Early clock out</td><td>scorer + norms <span" in table  # the exact versions in brackets after it


def test_one_label_for_a_kind_or_a_type() -> None:
    assert type_label("crew_unstaffed") == "Short seat" and type_label("EARLY_CLOCK_OUT") == "Early clock out"
