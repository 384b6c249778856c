"""A function's environment is checked against Lambda's 4 KB at synth (review_infra_s17 #7): Lambda refuses a bigger
one only at deploy, after the other resources were made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.config import ConfigError
from infra.constants import CTX_PLEX_SETTINGS
from infra.constructs.functions import ENVIRONMENT_LIMIT_BYTES, REFERENCE_BYTES, environment_bytes
from infra.testing import CONFIGURED, Synthesized, synthesize
from plexlabor.plex.settings import DEFAULT_DATASOURCE_FIELDS, DEFAULT_DATASOURCE_IDS


def plex_settings(fields_copies: int) -> dict[str, str]:
    """A tenant's ids, 14 data source ids and `fields_copies` times the default field map (about 3 KB each)."""
    fields = {
        f"{key}{n or ''}": dict(names) for n in range(fields_copies) for key, names in DEFAULT_DATASOURCE_FIELDS.items()
    }
    return {
        "TENANT_ID": "00000000-0000-0000-0000-000000000000",
        "CUSTOMER_ID": "123456",
        "DATASOURCES": json.dumps({key: 10000 + n for n, key in enumerate(DEFAULT_DATASOURCE_IDS)}),
        "DATASOURCE_FIELDS": json.dumps(fields),
    }


def test_a_function_whose_environment_would_pass_4_kb_is_refused_at_synth_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"punch_poller: .* up to \d{4,} bytes, above Lambda's 4096") as refused:
        synthesize(tmp_path, ["punch_poller"], **CONFIGURED, **{CTX_PLEX_SETTINGS: plex_settings(2)})
    assert "PLEXLABOR_PLEX_DATASOURCE_FIELDS" in str(refused.value)


def test_a_tenant_s_default_field_map_still_fits(tmp_path: Path) -> None:
    synthesized = synthesize(tmp_path, ["punch_poller"], **CONFIGURED, **{CTX_PLEX_SETTINGS: plex_settings(1)})
    function = synthesized.stack.functions.functions["punch_poller"]
    variables = synthesized.resources("AWS::Lambda::Function")[synthesized.logical_id(function)]["Properties"]
    sizes = environment_bytes(synthesized.stack, variables["Environment"]["Variables"])
    assert 3000 < sum(sizes.values()) <= ENVIRONMENT_LIMIT_BYTES


def test_every_function_of_the_configured_stack_fits_and_a_reference_counts_at_its_longest(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    functions = synthesized.resources("AWS::Lambda::Function")
    for function in stack.functions.functions.values():
        variables = functions[synthesized.logical_id(function)]["Properties"]["Environment"]["Variables"]
        sizes = environment_bytes(stack, variables)
        assert sum(sizes.values()) <= ENVIRONMENT_LIMIT_BYTES
        for name, value in variables.items():
            if isinstance(value, dict) and value.get("Ref") == "AWS::Region":
                assert sizes[name] == len(name) + len("ap-southeast-3")
            elif isinstance(value, dict) and "Ref" in value:  # a table, queue, secret, bucket, state machine
                assert sizes[name] == len(name) + REFERENCE_BYTES
            elif isinstance(value, str):
                assert sizes[name] == len(name) + len(value.encode())
    web_app = functions[synthesized.logical_id(stack.functions.functions["web_app"])]["Properties"]
    url = environment_bytes(stack, {"WEB_APP_URL": web_app["Environment"]["Variables"]["WEB_APP_URL"]})
    # https://<api id>.execute-api.<region>.<url suffix>/<stage>/: the id a reference, region and suffix their longest
    assert url["WEB_APP_URL"] == len("WEB_APP_URL") + len("https://.execute-api../dev/") + REFERENCE_BYTES + 14 + 16
