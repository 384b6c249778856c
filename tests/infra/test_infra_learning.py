"""scorer_retrain in the stack: weekly, batch flavour, reads decisions from the audit table (and appends
its verdicts), reads and writes only `models/scorer/` of the artifacts bucket; the functions that score findings
(punch_validator, norms_refresh's sweep, validation_backfill's shards) read it."""

from __future__ import annotations

import plexlabor.platform.env as env_vars
from infra.constants import SCORER_MODELS_PREFIX, SCORER_SALT_PREFIX
from infra.function_specs import BATCH, FUNCTION_SPECS, MAX_TIMEOUT_S, SCORER_IN_FORCE, BucketAccess, TableAccess
from infra.testing import Synthesized
from plexlabor.validation.registry import SALT_PREFIX, SCORER_PREFIX

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}


def test_the_spec_is_a_weekly_batch_job_on_the_registry_prefix() -> None:
    spec = SPECS["scorer_retrain"]
    assert (SCORER_MODELS_PREFIX, SCORER_SALT_PREFIX) == (SCORER_PREFIX, SALT_PREFIX)
    assert spec.schedule == "cron(0 10 ? * MON *)" and spec.flavour == BATCH
    assert spec.timeout_s == MAX_TIMEOUT_S and spec.reserved_concurrency == 1
    assert set(spec.access) == {TableAccess.AUDIT_READ, TableAccess.AUDIT_APPEND}
    assert spec.bucket_accesses == (BucketAccess.read_write(SCORER_PREFIX), BucketAccess.read_write(SALT_PREFIX))
    assert not spec.reads_plex
    # every function that scores findings reads the model in force (validation.registry.scorer_in_force), only that
    scorers = {name for name, other in SPECS.items() if SCORER_IN_FORCE in other.needs}
    assert scorers == {"punch_validator", "norms_refresh", "validation_backfill"}
    readers = {name for name, other in SPECS.items() if any(a.prefix == SALT_PREFIX for a in other.bucket_accesses)}
    assert readers == {"scorer_retrain"}  # nobody else can reverse the pseudonyms


def test_its_role_and_environment(synthesized: Synthesized) -> None:
    variables = synthesized.function("scorer_retrain")["Properties"]["Environment"]["Variables"]
    assert {env_vars.AUDIT_TABLE_NAME, env_vars.ARTIFACTS_BUCKET_NAME} <= set(variables)
    assert env_vars.PLEX_API_KEY_SECRET_ARN not in variables and env_vars.STATE_TABLE_NAME not in variables
    audit = synthesized.logical_id(synthesized.stack.storage.audit_table)
    queries = synthesized.granted("scorer_retrain", "dynamodb:Query", flatten=True)  # decisions by status
    assert any(audit in r for r in queries)
    puts = synthesized.granted("scorer_retrain", "dynamodb:PutItem", flatten=True)  # verdict events
    assert any(audit in r for r in puts)
    for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "s3:DeleteObject", "states:StartExecution"):
        assert synthesized.granted("scorer_retrain", action, flatten=True) == []
    bucket = synthesized.logical_id(synthesized.stack.artifacts.bucket)
    scorer = f"<{bucket}.Arn>/{SCORER_MODELS_PREFIX}*"
    in_force = f"<{bucket}.Arn>/{SCORER_MODELS_PREFIX}latest.json"
    salts = f"<{bucket}.Arn>/{SCORER_SALT_PREFIX}*"
    assert sorted(synthesized.granted("scorer_retrain", "s3:PutObject", flatten=True)) == sorted([scorer, salts])
    assert in_force in synthesized.granted("punch_validator", "s3:GetObject", flatten=True)
    assert scorer not in synthesized.granted("punch_validator", "s3:PutObject", flatten=True)
