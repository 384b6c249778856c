"""`/analytics` in process (issue 14): analytics_nightly's report of a generated plant, stored as the
function stores it, read by the web app per role; the operator's card; empty states; who is refused."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from plexlabor.analytics import wiring
from plexlabor.analytics.artifact import AnalyticsArtifact, read_artifact
from plexlabor.analytics.nightly import AnalyticsNightlyEvent, run
from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import LATEST, InMemoryArtifactStore, read_pointer
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor.webapp.analytics import ROWS_PER_PAGE, AnalyticsReports, model_text
from plexlabor.webapp.app import Dependencies
from tests.support import load_event
from tests.unit.analytics.test_analytics_nightly import WINDOW
from tests.unit.analytics.test_finding_decisions import MEASURE, decided
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import ADMIN, EHS, HR, NOBODY, PLANNER

DECIDED_AT = datetime(2026, 11, 10, 15, tzinfo=UTC)
"""Inside the three weeks scored."""


def _scored(plant: PlantFolder, audit: InMemoryAuditStore) -> InMemoryArtifactStore:
    """Three weeks of the labelled plant scored and stored by analytics_nightly's run."""
    reports = InMemoryArtifactStore()
    deps = wiring.Dependencies(LaborSource(PlantFolderSource(plant), "America/Detroit"), audit, reports)
    event = load_event("analytics_nightly")
    event["detail"] = {"as_of": "2026-11-20", "weeks": 3}
    run(deps, AnalyticsNightlyEvent.model_validate(event))
    return reports


@pytest.fixture(scope="module")
def decided_about(labelled_plant: PlantFolder) -> str:
    """The operator (employee id) whose findings supervisors decided: two upheld, one rejected."""
    return sorted({e.employee_id for e in PlantFolderSource(labelled_plant).labor_entries(*WINDOW)})[0]


@pytest.fixture(scope="module")
def store(labelled_plant: PlantFolder, decided_about: str) -> InMemoryArtifactStore:
    """The scores, with supervisors' decisions on one operator's findings in the audit table."""
    audit = InMemoryAuditStore()
    for number, upheld in ((1, True), (2, True), (3, False)):
        audit.append(decided(decided_about, number, upheld, at=DECIDED_AT))
    return _scored(labelled_plant, audit)


@pytest.fixture(scope="module")
def artifact(store: InMemoryArtifactStore) -> AnalyticsArtifact:
    pointer = read_pointer(store)
    assert pointer is not None
    return read_artifact(store, pointer)


def _deps(store: InMemoryArtifactStore | None) -> Dependencies:
    return dataclasses.replace(web_deps(World()), analytics=AnalyticsReports(store) if store is not None else None)


def _call(store: InMemoryArtifactStore | None, claims: dict[str, Any], query: dict[str, str] | None = None) -> Any:
    return call_web(_deps(store), "GET", "/analytics", claims, query=query)


def _operators(body: str) -> list[str]:
    """The employee numbers of the operators' table, in order (each links to its card)."""
    table = body.split('id="operators-title"')[1].split("</table>")[0]
    return re.findall(r"\?employee=([^\"&]+)\"", table)


def _supervisor(artifact: AnalyticsArtifact) -> tuple[dict[str, str], str]:
    """A supervisor of one department (the one of the first crew with a department), and that department."""
    crew = next(unit for unit in artifact.report.crews if unit.department and unit.key != "-")
    department = crew.department
    assert department is not None  # chosen for having one
    claims = {"cognito:username": crew.key, "cognito:groups": "supervisor", "custom:departments": department}
    return claims, department


@pytest.mark.parametrize("claims", [ADMIN, HR])
def test_admins_and_hr_see_every_operator_best_first_with_interval_funnel_and_rank(
    store: InMemoryArtifactStore, artifact: AnalyticsArtifact, claims: dict[str, str]
) -> None:
    response = _call(store, claims)
    assert response["statusCode"] == 200
    body = response["body"]
    operators = artifact.report.operators
    shown = _operators(body)
    assert len(shown) == min(len(operators), ROWS_PER_PAGE) and len(shown) > 20
    # efficiency (the first measure) is shown best estimate first
    estimates = {unit.label: unit.measures["efficiency"].estimate for unit in operators}
    assert [estimates[n] for n in shown] == sorted((estimates[n] for n in shown), reverse=True)
    best = next(unit for unit in operators if unit.label == shown[0]).measures["efficiency"]
    assert f"{best.estimate:.2f}" in body and f"{best.low:.2f} – {best.high:.2f}" in body
    assert "99.8 % funnel limits" in body and 'id="crews-title"' in body and 'id="shifts-title"' in body


def test_the_page_says_how_the_funnel_limits_were_set_and_flags_few_of_a_plant_whose_people_differ(
    store: InMemoryArtifactStore, artifact: AnalyticsArtifact
) -> None:
    # Given the generated plant, whose operators' true paces spread by about 0.1 (nobody far beyond that)
    summary = artifact.report.measures["efficiency"]["operator"]
    operators = len(artifact.report.operators)
    body = html.unescape(_call(store, HR)["body"])
    how = body.split('id="funnel-how">')[1].split("</p>")[0]
    # Then the page says the limits allow for chance and for the spread between this plant's people
    assert "How the funnel limits were set" in how and "allow for chance" in how
    assert summary.funnel_spread > 0.05
    assert f"differs from the plant by about {summary.funnel_spread:.2f} (one standard deviation)" in how
    assert "about three of those either side" in how  # (ux136 #6: '± 0.10' beside limits of 0.67-1.32)
    # And the spread the first line gives is that one, or the paragraph says why the funnel's is another
    # (ux_s13 17g: "spread between people 0.07", then "differs from the plant by about 0.08" two lines on)
    first, funnel = f"{summary.spread:.2f}", f"{summary.funnel_spread:.2f}"
    assert f"a typical person differs from it by about {first} (the spread between people" in body
    same, second_way = (
        f"the spread above, {first}, estimated again",
        f"a second way, which gives {funnel} here, not {first}",
    )
    assert (same if first == funnel else second_way) in how
    # And only a few operators fall outside, not half the plant (ux119 #11: 70 of 157), and it says how many
    assert summary.outside_funnel <= 0.05 * operators
    if summary.outside_funnel:
        assert f"{summary.outside_funnel} of the plant's {operators} operators" in how
    else:
        assert f"None of the plant's {operators} operators falls outside" in how
    # And the efficiency funnel plots each person's robust pace, tested against their limits
    scores = {u.label: u.measures["efficiency"] for u in artifact.report.operators}
    for _, pace, label, outside in _funnel(body)["points"]:
        score = scores[label]
        assert score.funnel_value is not None and pace == pytest.approx(score.funnel_value)
        assert outside == ("high" if pace > score.funnel_high else "low" if pace < score.funnel_low else "")


def test_another_measure_is_shown_lowest_first_in_per_cent(
    store: InMemoryArtifactStore, artifact: AnalyticsArtifact
) -> None:
    body = _call(store, ADMIN, {"measure": "scrap_share"})["body"]
    estimates = {unit.label: unit.measures["scrap_share"].estimate for unit in artifact.report.operators}
    shown = _operators(body)
    assert [estimates[n] for n in shown] == sorted(estimates[n] for n in shown)
    assert "Scrap share of pieces</h2>" in body and " %</strong>" in body
    # an unknown measure is the first one, not an error
    assert "Efficiency (earned / productive hours)</h2>" in _call(store, ADMIN, {"measure": "nope"})["body"]


def test_a_supervisor_sees_only_their_departments_people_and_no_shift(
    store: InMemoryArtifactStore, artifact: AnalyticsArtifact
) -> None:
    claims, department = _supervisor(artifact)
    body = _call(store, claims)["body"]
    theirs = {unit.label for unit in artifact.report.operators if unit.department == department}
    others = [unit.label for unit in artifact.report.operators if unit.department != department]
    assert set(_operators(body)) == theirs and theirs and others
    assert 'id="shifts-title"' not in body and 'id="crews-title"' in body
    # another department's operator has no card for them (404, as if unknown); the admin sees it
    assert _call(store, claims, {"employee": others[0]})["statusCode"] == 404
    assert _call(store, ADMIN, {"employee": others[0]})["statusCode"] == 200


def test_an_operators_card_has_every_measure_with_its_interval_the_plant_and_the_crew(
    store: InMemoryArtifactStore, artifact: AnalyticsArtifact
) -> None:
    unit = artifact.report.operators[0]
    response = _call(store, ADMIN, {"employee": unit.label})
    assert response["statusCode"] == 200
    body = response["body"]
    for name in unit.measures:
        assert artifact.report.measures[name]["operator"].label in body
    efficiency = unit.measures["efficiency"]
    assert f"{efficiency.low:.2f} – {efficiency.high:.2f}" in body
    crew = next(c for c in artifact.report.crews if c.key == artifact.crew_of[unit.key])
    assert f"{crew.measures['efficiency'].estimate:.2f} (" in body
    unknown = _call(store, ADMIN, {"employee": "E99999"})
    assert unknown["statusCode"] == 404 and "No operator E99999" in unknown["body"]


@pytest.mark.parametrize("claims", [PLANNER, EHS, NOBODY])
def test_roles_not_allowed_individual_scores_are_refused(store: InMemoryArtifactStore, claims: dict[str, str]) -> None:
    response = _call(store, claims)
    assert response["statusCode"] == 403 and "for admins and HR" in response["body"]
    assert "personal data about how someone works" in response["body"] and "docs/" not in response["body"]
    assert 'href="/dev/analytics"' not in response["body"]  # and the menu does not offer the page


def test_empty_states_say_what_is_missing_and_why(store: InMemoryArtifactStore) -> None:
    unconfigured = _call(None, ADMIN)
    assert unconfigured["statusCode"] == 200 and "no artifacts bucket is configured" in unconfigured["body"]
    none_yet = _call(InMemoryArtifactStore(), HR)["body"]
    assert "No scores yet" in none_yet and "reports/analytics/" in _call(InMemoryArtifactStore(), ADMIN)["body"]
    broken = InMemoryArtifactStore()
    broken.put(LATEST, store.get(LATEST) or b"")
    unreadable = _call(broken, ADMIN)["body"]
    assert "could not be read" in unreadable and "missing" in unreadable


def _funnel(body: str) -> Any:
    found = re.search(r'<script type="application/json" id="funnel-data">(.*?)</script>', body, re.S)
    assert found, "no funnel data"
    return json.loads(html.unescape(found.group(1)))


def test_the_funnel_plot_has_every_operator_in_view_at_their_volume_and_the_limits(
    store: InMemoryArtifactStore, artifact: AnalyticsArtifact
) -> None:
    response = _call(store, ADMIN, {"measure": "scrap_share"})
    assert "script-src 'self'" in response["multiValueHeaders"]["Content-Security-Policy"][0]
    funnel = _funnel(response["body"])
    scored = {u.label: u.measures["scrap_share"] for u in artifact.report.operators}
    # every operator with pieces, at their pieces, raw share in per cent, flagged as the table flags them
    assert {p[2] for p in funnel["points"]} == {label for label, s in scored.items() if s.volume > 0}
    for volume, raw, label, outside in funnel["points"]:
        assert volume == scored[label].volume and raw == pytest.approx(scored[label].raw * 100)
        assert outside == (scored[label].outside_funnel or "")
    assert funnel["volume"] == "pieces" and funnel["unit"] == "%"
    # each operator's 99.8 % limits at their volume, as the table has them
    by_label = {
        label: (low, high)
        for (_, low), (_, high), (_, _, label, _) in zip(funnel["low"], funnel["high"], funnel["points"], strict=True)
    }
    for label, (low, high) in by_label.items():
        limit_low, limit_high = scored[label].funnel_low, scored[label].funnel_high
        assert limit_low is not None and limit_high is not None  # a plotted operator has both limits
        assert (low, high) == pytest.approx((limit_low * 100, limit_high * 100))
    # a supervisor's funnel holds only their department's people
    claims, department = _supervisor(artifact)
    theirs = {u.label for u in artifact.report.operators if u.department == department}
    assert {p[2] for p in _funnel(_call(store, claims)["body"])["points"]} <= theirs


def test_upheld_findings_are_a_measure_of_the_page_and_of_the_decided_operators_card(
    store: InMemoryArtifactStore, artifact: AnalyticsArtifact, decided_about: str
) -> None:
    # the measure is offered beside the others, its table and funnel are over worked days
    body = _call(store, ADMIN)["body"]
    assert f"?measure={MEASURE}" in body and "Not scored in this window" not in body
    page = _call(store, ADMIN, {"measure": MEASURE})["body"]
    assert "Upheld validation findings per worked day</h2>" in page and _funnel(page)["volume"] == "worked days"
    assert len(_operators(page)) == len(artifact.report.operators)
    # the operator's card has the measure with its interval, and the decisions behind it
    unit = next(u for u in artifact.report.operators if u.key == decided_about)
    card = _call(store, ADMIN, {"employee": unit.label})["body"]
    scored = unit.measures[MEASURE]
    assert scored.raw > 0 and f"{scored.low * 100:.2f} % – {scored.high * 100:.2f} %" in card
    assert "<strong>2 upheld</strong>, 1 rejected" in card


def test_without_decisions_the_page_and_the_card_say_why_upheld_findings_are_missing(
    labelled_plant: PlantFolder,
) -> None:
    empty = _scored(labelled_plant, InMemoryAuditStore())
    why = "Not scored in this window: Upheld validation findings per worked day (no validation finding about"
    body = _call(empty, HR)["body"]
    assert why in body and f"?measure={MEASURE}" not in body
    pointer = read_pointer(empty)
    assert pointer is not None
    label = read_artifact(empty, pointer).report.operators[0].label
    card = _call(empty, HR, {"employee": label})["body"]
    assert why in card and "upheld</strong>" not in card


def _rows_by_number(body: str) -> dict[str, str]:
    """Each row of the operators' table by the employee number its name links to."""
    table = body.split('id="operators-title"')[1].split("</table>")[0]
    rows = (re.search(r"\?employee=([^\"&]+)\"", row) for row in table.split("<tr>"))
    return {found.group(1): row for found, row in zip(rows, table.split("<tr>"), strict=True) if found}


def test_the_scrap_page_says_what_its_estimates_are_and_why_one_lies_beyond_the_raw_share(
    store: InMemoryArtifactStore, artifact: AnalyticsArtifact
) -> None:
    # Given the scrap table (ux164 #4: a person whose raw share was below the plant's ranked among the worst,
    # under "each estimate is the person's raw value shrunk toward the plant")
    body = html.unescape(_call(store, ADMIN, {"measure": "scrap_share"})["body"])
    summary = artifact.report.measures["scrap_share"]["operator"]
    often, much = summary.parts["often"], summary.parts["much"]
    # Then the page says what an estimate is: how often times how much, each part beside the plant's
    assert "raw value shrunk toward the plant" not in body
    assert "Each estimate is how often an entry records scrap times the share of its pieces an entry with scrap" in body
    assert f"plant {often.target * 100:.1f} %" in body and f"plant {much.target * 100:.2f} %" in body
    # And each row whose estimate lies above both its raw share and the plant's says what raised it
    rows = _rows_by_number(body)
    beyond = [
        unit
        for unit in artifact.report.operators
        if unit.label in rows
        and unit.measures["scrap_share"].estimate > max(unit.measures["scrap_share"].raw, summary.target) * 1.005
    ]
    assert beyond
    for unit in beyond:
        assert (
            "raised by how much they scrap when they do" in rows[unit.label]
            or "raised by how often" in rows[unit.label]
        ), unit.label
    # while a row whose estimate lies between its raw share and the plant's (shrunk toward it) says nothing more
    between = [
        unit.label
        for unit in artifact.report.operators
        if unit.label in rows
        and min(unit.measures["scrap_share"].raw, summary.target)
        < unit.measures["scrap_share"].estimate
        < max(unit.measures["scrap_share"].raw, summary.target)
    ]
    assert between and not any("raised by" in rows[n] or "lowered by" in rows[n] for n in between)
    # And the ranks read in the table's order (it listed rank 6 first and no rank 1 to 5)
    ranks = [int(rank) for rank in re.findall(r"<td>(\d+) \(\d+–\d+\)</td>", "".join(rows.values()))]
    assert ranks and ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    # And the person's card says it in full, with the two counted parts multiplied
    unit = beyond[0]
    measure = unit.measures["scrap_share"]
    card = html.unescape(_call(store, ADMIN, {"employee": unit.label})["body"])
    assert f"lies above their raw value {measure.raw * 100:.2f} %" in card
    hits = measure.parts["often"].raw * measure.parts["often"].volume
    assert f"{hits:.0f} of their {measure.parts['often'].volume:.0f} entries recorded scrap" in card
    assert f"= {measure.estimate * 100:.2f} %" in card


def test_a_report_made_before_the_parts_were_kept_still_says_what_a_scrap_estimate_is(
    artifact: AnalyticsArtifact,
) -> None:
    # (a report analytics_nightly stored before MeasureSummary.parts: the page must not say "the raw value shrunk")
    summary = artifact.report.measures["scrap_share"]["operator"].model_copy(update={"parts": {}})
    said = model_text("scrap_share", summary)
    assert said.startswith("Each estimate is how often an entry records scrap times") and "cannot say why" in said
    assert "raw value shrunk" not in model_text("nonconformances_per_entry", summary)


def test_a_crew_is_named_by_its_supervisor_as_people_are_named(
    store: InMemoryArtifactStore, artifact: AnalyticsArtifact
) -> None:
    # Given a crew whose supervisor the directory knows (ux164 #17: "E00002 crew" beside named operators)
    crew = next(unit for unit in artifact.report.crews if unit.key != "-")
    people = PeopleDisplay(StaticPeopleDirectory([Person(crew.key, "E00002", "Carla Okafor")]))
    deps = dataclasses.replace(_deps(store), people=people)
    body = html.unescape(call_web(deps, "GET", "/analytics", HR)["body"])
    crews = body.split('id="crews-title"')[1].split("</table>")[0]
    # Then the crews' rows name the supervisor, with the employee number, as the operators' rows name people
    assert '<th scope="row">Carla Okafor (E00002)\'s crew</th>' in crews
    assert not re.search(r">E\d+ crew<", crews)
