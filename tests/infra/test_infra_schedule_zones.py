"""For a plant outside US Eastern, synth says which UTC schedules run the jobs at the same plant-local times
(review_infra_s17 #9: in Europe or Asia skills_daily ran mid-day, crew_planner at 04:00 the next day)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.app import schedule_zone_report
from infra.config import DeployConfig
from infra.constants import CTX_SCHEDULES, CTX_TIMEZONE
from infra.function_specs import FUNCTION_SPECS
from infra.schedule_zones import shifted, standard_offset_minutes, zone_advice
from infra.testing import synthesize

DEFAULTS = {spec.name: spec.schedule for spec in FUNCTION_SPECS if spec.schedule}


@pytest.mark.parametrize(
    ("expression", "minutes", "moved"),
    [
        ("cron(0 7 * * ? *)", -360, "cron(0 1 * * ? *)"),  # Berlin: 02:00 there, as 07:00 UTC is in Detroit
        ("cron(0 7 * * ? *)", -780, "cron(0 18 * * ? *)"),  # Shanghai: the evening before in UTC
        ("cron(0 7 * * ? *)", -630, "cron(30 20 * * ? *)"),  # Kolkata, half an hour off
        ("cron(30 9-23 * * ? *)", -360, "cron(30 3-17 * * ? *)"),
        ("cron(30 9-23 * * ? *)", -630, "cron(0 0-13,23 * * ? *)"),  # across midnight: two ranges
        ("cron(0 10 ? * MON *)", -780, "cron(0 21 ? * SUN *)"),  # the weekday moves with it
        ("cron(0 20 * * ? *)", 60, "cron(0 21 * * ? *)"),  # Chicago
        ("rate(5 minutes)", -360, None),
        ("cron(0 23-1 * * ? *)", 60, None),
        ("cron(0 22-23 ? * MON *)", 120, "cron(0 0-1 ? * TUE *)"),
        ("cron(0 22-23 ? * MON *)", 60, None),  # a weekly one across midnight: by hand
    ],
)
def test_a_schedule_moves_with_the_plant_s_offset(expression: str, minutes: int, moved: str | None) -> None:
    assert shifted(expression, minutes) == moved


def test_a_plant_in_us_eastern_gets_no_advice() -> None:
    assert standard_offset_minutes("America/Detroit") == standard_offset_minutes("America/New_York") == -300
    assert zone_advice("America/Detroit", DEFAULTS) == zone_advice(None, DEFAULTS) == []


def test_a_plant_in_berlin_is_told_the_schedules_for_its_own_times() -> None:
    [line] = zone_advice("Europe/Berlin", DEFAULTS)
    assert "Europe/Berlin is 6 hours ahead of it" in line
    suggested = json.loads(line.split(f"-c {CTX_SCHEDULES}='")[1].split("'")[0])
    assert suggested["norms_refresh"] == "cron(0 1 * * ? *)"  # 02:00 in Berlin, before day shifts
    assert suggested["skills_daily"] == "cron(0 3 * * ? *)"  # 04:00, before the first shift
    assert suggested["crew_planner"] == "cron(0 14 * * ? *)"  # 15:00, plans the next day
    assert suggested["scorer_retrain"] == "cron(0 4 ? * MON *)"
    assert not {"punch_poller", "crew_call_offs", "review_sweep", "copilot_index"} & set(suggested)  # rates stay
    assert set(suggested) == {name for name, expression in DEFAULTS.items() if expression.startswith("cron(")}


def test_the_app_advises_only_the_schedules_not_overridden(tmp_path: Path) -> None:
    overridden = {"norms_refresh": "cron(0 1 * * ? *)"}
    context = {CTX_TIMEZONE: "Europe/Berlin", CTX_SCHEDULES: json.dumps(overridden)}
    synthesized = synthesize(tmp_path, ["norms_refresh", "skills_daily", "punch_poller"], **context)
    config = DeployConfig.from_node(synthesized.stack.node)
    [line] = schedule_zone_report(synthesized.stack, config)
    assert '-c plexlabor:schedules=\'{"skills_daily":"cron(0 3 * * ? *)"}\'' in line
