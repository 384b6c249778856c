"""Every AWS call a function may make gives up inside the function's timeout (review_s15 #4): one stalled call, all
its attempts and backoffs counted (`plexlabor.platform.aws.worst_call_s`), still leaves the handler time to answer
with its error or fallback, instead of Lambda cutting it off (a 5xx from API Gateway, nothing recorded).

The services come from the spec (its grants), so a function given a new access is checked with no change here."""

from __future__ import annotations

import pytest

from infra.function_specs import FUNCTION_SPECS, BucketAccess, FunctionSpec, Need, ReadSecret, SendTo, TableAccess
from plexlabor.platform.aws import worst_call_s

MARGIN_S = 2
"""What the handler needs after a call gave up: its answer, a log line."""
NEED_SERVICES = {
    Need.START_APPROVALS: "stepfunctions",
    Need.ANSWER_APPROVALS: "stepfunctions",
    Need.SEND_EMAIL: "ses",
    Need.BEDROCK: "bedrock-runtime",
    Need.TRANSCRIBE: "transcribe",
}


def services(spec: FunctionSpec) -> set[str]:
    granted = {"dynamodb" for a in spec.access if isinstance(a, TableAccess)}
    granted |= {"sqs" for a in spec.access if isinstance(a, SendTo)}
    granted |= {"secretsmanager" for a in spec.access if isinstance(a, ReadSecret)}
    granted |= {"s3" for n in spec.needs if isinstance(n, BucketAccess)}
    return granted | {NEED_SERVICES[n] for n in spec.needs if n in NEED_SERVICES}


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda spec: spec.name)
def test_one_stalled_call_gives_up_inside_the_function_timeout(spec: FunctionSpec) -> None:
    over = {
        service: worst_call_s(service)
        for service in sorted(services(spec))
        if worst_call_s(service) + MARGIN_S > spec.timeout_s
    }
    assert not over, (spec.timeout_s, over)


def test_the_bedrock_wording_tries_once_and_leaves_copilot_ask_time_to_record_the_answer() -> None:
    copilot_ask = next(spec for spec in FUNCTION_SPECS if spec.name == "copilot_ask")
    assert worst_call_s("bedrock-runtime") <= 14 < copilot_ask.timeout_s / 2
