"""The KPI page's flagged share of all punches: punches validated, flagged and sent for review per day and
in total, the share per anomaly type; and, before any count exists, why there is none. The punch scorer's
line: the model in force, a shadow candidate with the held-out figures, every `model` event."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction, AuditStatus
from plexlabor.audit.events import SUPERSEDED_BY, expiry_event
from plexlabor.audit.validations import InMemoryValidationCounter, ValidatedRecord
from plexlabor.learning.events import model_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, finding_event, recommendation, web_deps
from tests.unit.webapp.viewers import ADMIN, SUPERVISOR


def _kpis(world: World, counts: InMemoryValidationCounter | None, claims: dict[str, Any], lambda_context: Any) -> str:
    deps = dataclasses.replace(web_deps(world), validations=counts)
    response = call_web(deps, "GET", "/kpis", claims, lambda_context, query={"days": "7"})
    assert response["statusCode"] == 200
    return str(response["body"])


def test_the_page_shows_the_share_of_validated_punches_flagged(lambda_context: Any) -> None:
    # Given two punch findings recorded today and 400 punches validated today (Molding)
    world = World()
    finding_event(world, "f-000000000000000000000001", confidence=0.93, severity="high")
    finding_event(world, "f-000000000000000000000002", confidence=0.95, severity="low")
    today = world.clock().astimezone(ZONE).date()
    counts = InMemoryValidationCounter()
    counts.count([ValidatedRecord(f"time-clock-entries:{n}", today, "Molding") for n in range(400)], today)

    body = _kpis(world, counts, SUPERVISOR, lambda_context)

    assert "Flagged share of all punches" in body
    day = today.strftime("%a %Y-%m-%d")
    assert f"<tr><td>{day}</td><td>400</td><td>2</td><td>0.5%</td><td>2</td><td>0.5%</td></tr>" in body
    assert '<th scope="row">Total</th><td>400</td><td>2</td><td>0.5%</td><td>2</td><td>0.5%</td>' in body
    assert "Validated by department: Molding 400." in body
    # ...and the anomaly type's row its share of the validated punches (both findings: one type)
    # each share in its column, and under its count where the columns fold below 900 px (ux119 #19)
    narrow = '<span class="show-narrow muted small">0.5% of punches</span>'
    assert (
        f'<td>2{narrow}</td><td class="hide-narrow">0.5%</td><td>2{narrow}</td><td class="hide-narrow">0.5%</td>'
        in (body.split('id="by-kind"')[1])
    )


def test_before_any_count_the_page_says_why_there_is_no_share(lambda_context: Any) -> None:
    world = World()
    finding_event(world, "f-000000000000000000000001", confidence=0.93, severity="high")

    empty = _kpis(world, InMemoryValidationCounter(), ADMIN, lambda_context)
    unconfigured = _kpis(world, None, ADMIN, lambda_context)

    assert "No punch counts in this period yet" in empty and "<tfoot>" not in empty
    assert "no state table configured" in unconfigured
    for body in (empty, unconfigured):
        assert '<td>1</td><td class="hide-narrow">—</td><td>1</td><td class="hide-narrow">—</td>' in body  # no share


def _metrics(precision: float, recall: float, decisions: int) -> dict[str, Any]:
    return {"precision": precision, "recall": recall, "decisions": decisions}


HOLDS = {"holds_promotion": True}
"""A rollback by hand's payload since it holds automatic promotion (`plexlabor.learning.manage`)."""


def _model(world: World, status: AuditStatus, version: str, days_ago: int, actor: str, **payload: Any) -> None:
    """A `model` event `days_ago` days before the world's clock."""
    at = world.clock() - timedelta(days=days_ago)
    world.audit.append(model_event(status, version, actor=actor, occurred_at=at, payload=payload))


def test_the_scorer_in_force_and_a_shadow_candidate_are_shown_with_their_held_out_figures(
    lambda_context: Any,
) -> None:
    # Given a weekly retrain that promoted one candidate, then one that kept the next as a shadow
    world = World()
    promoted = {"candidate": _metrics(0.91, 0.97, 240), "in_force": _metrics(0.84, 0.97, 240)}
    _model(world, AuditStatus.PROMOTED, "scorer-aaaa", 8, "scorer_retrain", metrics=promoted)
    shadowed = {"candidate": _metrics(0.88, 0.99, 260), "in_force": _metrics(0.92, 0.96, 260)}
    reasons = ["precision 0.880 below the model in force's 0.920"]
    _model(world, AuditStatus.SHADOW, "scorer-bbbb", 1, "scorer_retrain", metrics=shadowed, reasons=reasons)

    body = _kpis(world, None, SUPERVISOR, lambda_context).split('id="scorer"')[1]

    assert "In force: <strong>scorer-aaaa</strong>, promoted" in body
    assert "Shadow candidate: <strong>scorer-bbbb</strong>" in body
    assert "precision 0.880 below the model in force&#39;s 0.920" in body
    assert "the candidate had precision 88.0%, recall of upheld findings 99.0% on 260 decisions" in body
    assert "the model in force precision 92.0%, recall of upheld findings 96.0% on 260 decisions" in body
    rows = body.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == 2  # newest first, both events
    assert "Scored in shadow on live findings" not in body  # no shadow was scored live before


def test_the_last_shadows_live_routing_is_shown(lambda_context: Any) -> None:
    # Given a retrain whose card measured the previous shadow on the live findings it scored
    world = World()
    live = {"version": "scorer-bbbb", "decisions": 200, "flagged": 150, "upheld": 140, "upheld_flagged": 138}
    metrics = {"candidate": _metrics(0.9, 0.98, 80), "in_force": _metrics(0.9, 0.98, 80)}
    _model(
        world,
        AuditStatus.SHADOW,
        "scorer-cccc",
        1,
        "scorer_retrain",
        metrics={**metrics, "shadow_live": {**live, "precision": 0.92}},
    )
    body = _kpis(world, None, SUPERVISOR, lambda_context).split('id="scorer"')[1]
    assert (
        "Scored in shadow on live findings: <strong>scorer-bbbb</strong> would have sent 150 of the 200 findings"
        " supervisors decided while it ran beside the model in force (50 reviews spared), 92.0% of them upheld,"
        " keeping 138 of the 140 upheld findings." in body
    )


def test_a_rollback_puts_the_earlier_model_in_force_and_no_shadow_is_left(lambda_context: Any) -> None:
    world = World()
    _model(world, AuditStatus.SHADOW, "scorer-bbbb", 3, "A0001")
    _model(world, AuditStatus.ROLLED_BACK, "scorer-0000", 1, "A0001", previous="scorer-aaaa", manual=True)

    body = _kpis(world, None, ADMIN, lambda_context).split('id="scorer"')[1]

    assert "In force: <strong>scorer-0000</strong>, rolled back to" in body
    assert "Shadow candidate" not in body  # the shadow came before the model now in force
    assert "rolled back by hand (was scorer-aaaa)" in body


def test_a_rollback_to_the_packaged_model_says_so_and_how_to_list_the_versions(lambda_context: Any) -> None:
    world = World()
    _model(world, AuditStatus.PROMOTED, "scorer-aaaa", 3, "scorer_retrain")
    _model(
        world, AuditStatus.ROLLED_BACK, "scorer-pack", 1, "A0001", previous="scorer-aaaa", manual=True, packaged=True
    )

    body = _kpis(world, None, ADMIN, lambda_context).split('id="scorer"')[1]

    assert "In force: <strong>scorer-pack</strong> (the packaged model), rolled back to" in body
    assert "<code>plexlabor model list</code> lists the stored versions" in body
    assert "<code>plexlabor model rollback packaged</code> the packaged model" in body


def test_a_rollback_by_hand_says_automatic_promotion_is_held_until_a_promote_lifts_it(lambda_context: Any) -> None:
    world = World()
    _model(world, AuditStatus.PROMOTED, "scorer-aaaa", 3, "scorer_retrain")
    _model(world, AuditStatus.ROLLED_BACK, "scorer-0000", 2, "A0001", previous="scorer-aaaa", manual=True, **HOLDS)
    reasons = ["automatic promotion held since A0001's rollback at ..."]
    _model(world, AuditStatus.SHADOW, "scorer-bbbb", 1, "scorer_retrain", reasons=reasons)

    body = _kpis(world, None, ADMIN, lambda_context).split('id="scorer"')[1]

    assert "<strong>Automatic promotion held</strong> since A0001's rollback" in body
    assert "<code>plexlabor model promote VERSION</code> to lift it" in body
    assert "kept out of force: automatic promotion held since A0001" in body  # the shadow's reason

    _model(world, AuditStatus.PROMOTED, "scorer-bbbb", 0, "A0002", previous="scorer-0000", manual=True)
    lifted = _kpis(world, None, ADMIN, lambda_context).split('id="scorer"')[1]
    assert "Automatic promotion held" not in lifted


def test_before_any_retrain_the_packaged_model_is_in_force(lambda_context: Any) -> None:
    body = _kpis(World(), None, ADMIN, lambda_context).split('id="scorer"')[1]

    assert "In force: the packaged model" in body and "No retrain has run yet." in body


def test_the_plants_learnt_cuts_are_shown_with_the_model_that_brings_them(lambda_context: Any) -> None:
    world = World()
    cut = {"feature": "beyond_grace_min", "minimum": 24.5, "decisions": 160, "below": 40, "upheld_below": 1}
    _model(world, AuditStatus.PROMOTED, "scorer-aaaa", 8, "scorer_retrain", cuts={"EARLY_CLOCK_IN": cut})
    _model(world, AuditStatus.SHADOW, "scorer-bbbb", 1, "scorer_retrain", cuts={})
    body = _kpis(world, None, SUPERVISOR, lambda_context).split('id="scorer"')[1]
    assert "This plant's cuts: Early clock in under 24.5 (beyond_grace_min) not sent for review" in body
    assert "Its cuts: none." in body
    # rolled back to a model without cuts: none in force
    _model(world, AuditStatus.ROLLED_BACK, "scorer-0000", 0, "A0001", previous="scorer-aaaa", manual=True, cuts={})
    assert "This plant's cuts: none." in _kpis(world, None, ADMIN, lambda_context)


def test_a_types_learnt_review_threshold_is_shown_with_the_decisions_it_was_learnt_from(lambda_context: Any) -> None:
    world = World()
    threshold = {"feature": "confidence", "minimum": 0.9416, "decisions": 150, "below": 56, "upheld_below": 0}
    cut = {"feature": "beyond_grace_min", "minimum": 24.5, "decisions": 160, "below": 40, "upheld_below": 1}
    cuts = {"BUDDY_PUNCH": threshold, "EARLY_CLOCK_IN": cut}
    _model(world, AuditStatus.PROMOTED, "scorer-aaaa", 8, "scorer_retrain", cuts=cuts)
    body = _kpis(world, None, SUPERVISOR, lambda_context).split('id="scorer"')[1]
    assert (
        "This plant's cuts: Buddy punch sent for review only from confidence 0.9416 (this plant's threshold for the"
        " type), learnt from 150 decisions: 56 below it, 0 of those upheld; Early clock in under 24.5"
        " (beyond_grace_min) not sent for review, learnt from 160 decisions: 40 below it, 1 of those upheld"
        " (learnt from this plant's decisions)." in body
    )


def test_an_incident_confirmed_without_review_is_its_own_column_said_in_words(lambda_context: Any) -> None:
    # Given an auto-coded incident (logged, never sent) that the EHS lead confirmed on its page (ux119 #12)
    world = World()
    assert "Decided, never sent" not in _kpis(world, None, ADMIN, lambda_context)  # none: no column
    opening = recommendation(world, "inc-0001", "incident_coding", record_key="incidents:inc-0001")
    world.audit.append(opening.model_copy(update={"status": AuditStatus.LOGGED, "event_id": "inc-0001-auto"}))
    decided = Decision(action=ApprovalAction.APPROVE, reason=None, supervisor_id="ehs1")
    world.audit.append(
        decided.audit_event(
            record_key="incidents:inc-0001",
            item_id="inc-0001",
            employee_id=None,
            model_version=None,
            occurred_at=world.clock(),
            payload={"kind": "incident_coding", "via": "incident_page"},
        )
    )
    body = _kpis(world, None, ADMIN, lambda_context).split('id="by-kind"')[1]
    # Then its row counts it apart from the approvals of what was sent, and the page says what that means
    assert '<th scope="col">Decided, never sent</th>' in body
    assert "Decided, never sent: decided though never sent for review" in body


def test_a_swap_reads_as_an_override_and_the_planners_choice_as_chosen_by_hand(lambda_context: Any) -> None:
    # Given a crew suggestion the planner swapped on the crew board (ux141 #10): it rejected, the planner's own
    # choice recorded and approved at once
    world = World()
    recommendation(world, "crew-0001", "crew_assignment", record_key="job-operations:op-1")
    recommendation(
        world,
        "crew-0002",
        "crew_assignment",
        record_key="job-operations:op-1",
        swapped_for="E0163",
        replaces="crew-0001",
    )
    for item_id, action in (("crew-0001", ApprovalAction.REJECT), ("crew-0002", ApprovalAction.APPROVE)):
        decided = Decision(
            action=action, reason="swap" if action is ApprovalAction.REJECT else None, supervisor_id="P1"
        )
        world.audit.append(
            decided.audit_event(
                record_key="job-operations:op-1",
                item_id=item_id,
                employee_id=None,
                model_version="crew-1",
                occurred_at=world.clock(),
                payload={"kind": "crew_assignment", "via": "crew_board"},
            )
        )
    body = _kpis(world, None, ADMIN, lambda_context).split('id="by-kind"')[1]
    row = body.split("<tbody>")[1].split("</tr>")[0].replace("\n", "")
    # Then the model's one suggestion was overridden (approve rate 0 %), the choice is its own column, said in words
    assert '<th scope="col">Overridden</th><th scope="col">Chosen by hand</th>' in body
    assert "<td>crew-1</td><td>1</td>" in row  # suggested: the model's one
    assert "<td>0</td><td>0</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0%</td>" in row  # approved … waiting
    assert "Approved: taken as the model made it" in body and "Chosen by hand: the person a planner swapped in" in body


def test_suggestions_a_replan_replaced_and_those_waiting_have_columns_that_add_up(lambda_context: Any) -> None:
    # Given three crew suggestions: one a re-plan superseded, one approved, one waiting (ux_s13 #17a)
    world = World()
    for item_id in ("crew-0001", "crew-0002", "crew-0003"):
        recommendation(world, item_id, "crew_assignment", record_key=f"job-operations:{item_id}")
    world.audit.append(
        expiry_event(
            "job-operations:crew-0001",
            "crew-0001",
            occurred_at=world.clock(),
            actor="crew_replan",
            payload={"kind": "crew_assignment", SUPERSEDED_BY: "crew_replan"},
        )
    )
    approved = Decision(action=ApprovalAction.APPROVE, supervisor_id="P1")
    world.audit.append(
        approved.audit_event(
            record_key="job-operations:crew-0002",
            item_id="crew-0002",
            employee_id=None,
            model_version="crew-1",
            occurred_at=world.clock(),
            payload={"kind": "crew_assignment"},
        )
    )
    body = _kpis(world, None, ADMIN, lambda_context).split('id="by-kind"')[1]
    row = body.split("<tbody>")[1].split("</tr>")[0].replace("\n", "")
    # Then the replaced one is in its own column, not expired, and approved … waiting add up to the 3 sent
    assert '<th scope="col">Expired</th><th scope="col">Replaced or undone</th><th scope="col">Waiting</th>' in body
    assert "<td>1</td><td>0</td><td>0</td><td>0</td><td>1</td><td>1</td><td>100%</td>" in row  # approved … rate
    assert "Replaced or undone: closed undecided because a re-plan replaced" in body


def test_reviewers_are_named_one_way(lambda_context: Any) -> None:
    """ux164 #17: "a planner", "HR", "the EHS lead" beside "Carla Okafor (E00002)" in one column."""
    from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory

    world = World()
    for number, decider in enumerate(("E0001", "planner", "hr"), start=1):
        item_id = f"crew-000{number}"
        recommendation(world, item_id, "crew_assignment", record_key=f"job-operations:op-{number}")
        world.audit.append(
            Decision(action=ApprovalAction.APPROVE, reason=None, supervisor_id=decider).audit_event(
                record_key=f"job-operations:op-{number}",
                item_id=item_id,
                employee_id=None,
                model_version="crew-1",
                occurred_at=world.clock(),
                payload={"kind": "crew_assignment", "via": "queue"},
            )
        )
    people = PeopleDisplay(StaticPeopleDirectory([Person("E0001", "E00002", "Carla Okafor")]))
    deps = dataclasses.replace(web_deps(world), people=people)
    response = call_web(deps, "GET", "/kpis", ADMIN, lambda_context, query={"days": "7"})
    table = str(response["body"]).split('id="by-person"')[1].split("</table>")[0]
    assert "<td>Carla Okafor (E00002)</td>" in table
    assert "<td>planner (a sign-in without an employee number)</td>" in table
    assert "<td>hr (a sign-in without an employee number)</td>" in table
    assert "a planner" not in table and "<td>HR</td>" not in table
