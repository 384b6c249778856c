"""Schedules: an EventBridge rule per scheduled function in the stack, overridable per function."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.app import add_stack, create_app
from infra.config import ConfigError, DeployConfig
from infra.constants import CTX_BUILD_DIR, CTX_FUNCTIONS_ROOT, CTX_PLACEHOLDER_LAYERS, CTX_SCHEDULES
from infra.function_specs import FUNCTION_SPECS
from infra.testing import CONFIGURED, Synthesized, synthesize, write_fake_functions

SCHEDULED = {spec.name: spec.schedule for spec in FUNCTION_SPECS if spec.schedule}


def test_the_design_schedules(synthesized: Synthesized) -> None:
    assert SCHEDULED["punch_poller"] == "rate(5 minutes)"
    assert SCHEDULED["norms_refresh"] == "cron(0 7 * * ? *)"  # nightly, in UTC
    assert synthesized.stack.schedules.expressions == SCHEDULED  # every scheduled spec with a handler


def test_each_rule_targets_its_function_with_bounded_retries(synthesized: Synthesized) -> None:
    rules = synthesized.resources("AWS::Events::Rule")
    stack = synthesized.stack
    targets = {}
    for rule in rules.values():
        [target] = rule["Properties"]["Targets"]
        assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2}
        assert "Input" not in target  # the function gets EventBridge's "Scheduled Event" as is
        assert rule["Properties"]["State"] == "ENABLED"
        targets[target["Arn"]["Fn::GetAtt"][0]] = rule["Properties"]["ScheduleExpression"]

    assert targets == {
        synthesized.logical_id(stack.functions.functions[name]): expr for name, expr in SCHEDULED.items()
    }
    invoke = [
        p["Properties"]
        for p in synthesized.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "events.amazonaws.com"
    ]
    assert len(invoke) == len(SCHEDULED)


def test_overrides_are_validated(tmp_path: Path) -> None:
    root = write_fake_functions(tmp_path / "src", ["punch_poller"])
    context = {CTX_PLACEHOLDER_LAYERS: True, CTX_FUNCTIONS_ROOT: str(root), CTX_BUILD_DIR: str(tmp_path / "b")}

    with pytest.raises(ConfigError, match="no scheduled function"):
        add_stack(create_app({**context, CTX_SCHEDULES: '{"punch_webhook": "rate(1 hour)"}'}, outdir=str(tmp_path)))
    for bad in ("every 5 minutes", "rate(5 fortnights)", ""):
        with pytest.raises(ConfigError):
            DeployConfig(schedules={"punch_poller": bad})
    assert DeployConfig(schedules={"norms_refresh": "disabled"}).schedules == {"norms_refresh": "disabled"}


def test_crew_call_offs_looks_back_over_the_period_of_the_schedule_in_force(tmp_path: Path) -> None:
    """Each run checks the shifts that started in its last period (less the grace): an override of its rate moves
    that window with it, else a slower rule would never check most shift starts (review_s15 #2)."""
    override = {CTX_SCHEDULES: {"crew_call_offs": "rate(15 minutes)"}}
    slower = synthesize(tmp_path, ["crew_call_offs"], **CONFIGURED, **override)
    [rule] = slower.resources("AWS::Events::Rule").values()
    variables = slower.function("crew_call_offs")["Properties"]["Environment"]["Variables"]

    assert rule["Properties"]["ScheduleExpression"] == "rate(15 minutes)"
    assert variables["CREW_CALL_OFF_PERIOD_MINUTES"] == "15"


@pytest.mark.parametrize("expression", ["cron(0/5 * * * ? *)", "rate(2 hours)", "rate(1 day)"])
def test_a_crew_call_offs_schedule_without_a_period_it_can_check_is_refused_naming_the_setting(expression: str) -> None:
    with pytest.raises(ConfigError, match=r"plexlabor:schedules: crew_call_offs .*CREW_CALL_OFF_PERIOD_MINUTES"):
        DeployConfig(schedules={"crew_call_offs": expression})
    assert DeployConfig(schedules={"crew_call_offs": "rate(1 hour)"}).schedules == {"crew_call_offs": "rate(1 hour)"}
    assert DeployConfig(schedules={"crew_call_offs": "disabled"}).schedules == {"crew_call_offs": "disabled"}


def test_each_scheduled_function_alarms_the_topic_when_a_run_fails_or_is_throttled(synthesized: Synthesized) -> None:
    """Nobody waits on a scheduled run: a failed or throttled one must reach the alarm topic (review_infra_s17 #2)."""
    topic = {"Ref": synthesized.logical_id(synthesized.stack.alarms.topic)}
    watched: dict[str, set[str]] = {}
    for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values():
        properties = alarm["Properties"]
        if properties.get("Namespace") != "AWS/Lambda":
            continue
        assert (properties["Statistic"], properties["Period"], properties["Threshold"]) == ("Sum", 300, 0)
        assert properties["ComparisonOperator"] == "GreaterThanThreshold"
        assert properties["TreatMissingData"] == "notBreaching"
        assert properties["AlarmActions"] == properties["OKActions"] == [topic]
        [dimension] = properties["Dimensions"]
        assert dimension["Name"] == "FunctionName"
        watched.setdefault(dimension["Value"]["Ref"], set()).add(properties["MetricName"])

    functions = synthesized.stack.functions.functions
    assert watched == {synthesized.logical_id(functions[name]): {"Errors", "Throttles"} for name in SCHEDULED}
