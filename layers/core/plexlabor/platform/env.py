"""The environment variables the deployment sets on plexlabor functions: the one list of their names.

The CDK stack (`infra/constants.py`, `infra/wiring.py`) and the local runtime set them from these
names; each function's settings model (`plexlabor.platform.settings`) reads them by the same names.
The settings also read tuning variables, named by the field that reads them (`POLL_LOOKBACK_HOURS`,
`CREW_TIME_LIMIT_SECONDS`, ...; two several capabilities read are here, `JOB_LEAD_DAYS` and
`SUPERVISOR_DIRECTORY_TTL_S`): unset, the code's default; the stack sets one only when `plexlabor:tuning`
gives it (`infra/tuning.py` finds each function's; docs/deployment.md, "Validation policy and tuning").
"""

from __future__ import annotations

# Powertools and deployment
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
LOG_LEVEL = "LOG_LEVEL"
STAGE = "PLEXLABOR_STAGE"

# Tables, queues, bucket, state machine
AUDIT_TABLE_NAME = "AUDIT_TABLE_NAME"
STATE_TABLE_NAME = "STATE_TABLE_NAME"
IDEMPOTENCY_TABLE_NAME = "IDEMPOTENCY_TABLE_NAME"
PUNCH_QUEUE_URL = "PUNCH_QUEUE_URL"
NOTIFY_QUEUE_URL = "NOTIFY_QUEUE_URL"
WRITEBACK_QUEUE_URL = "WRITEBACK_QUEUE_URL"
REPLAN_QUEUE_URL = "REPLAN_QUEUE_URL"
ARTIFACTS_BUCKET_NAME = "ARTIFACTS_BUCKET_NAME"
APPROVAL_STATE_MACHINE_ARN = "APPROVAL_STATE_MACHINE_ARN"
MAX_RECEIVE_COUNT = "MAX_RECEIVE_COUNT"

# Secrets (their ARNs; the values are read at run time)
PLEX_API_KEY_SECRET_ARN = "PLEX_API_KEY_SECRET_ARN"
WEBHOOK_HMAC_SECRET_ARN = "WEBHOOK_HMAC_SECRET_ARN"
APPROVAL_SIGNING_KEY_SECRET_ARN = "APPROVAL_SIGNING_KEY_SECRET_ARN"

# The plant and its approvals
TIMEZONE = "PLEXLABOR_TIMEZONE"
PLANT_DIR = "PLEXLABOR_PLANT_DIR"
"""A plant folder read instead of Plex (local runs and tests; never set on AWS)."""
JOB_LEAD_DAYS = "PLEXLABOR_JOB_LEAD_DAYS"
"""How long before its due date a job's first operation may be scheduled: a crew read asks Plex only for the
operations of jobs that can run near the shift (`plexlabor.plex.snapshot.JobsNear`)."""
VALIDATION_POLICY = "VALIDATION_POLICY"
"""The plant's validation policy, a JSON object of `plexlabor.validation.policy.ValidationPolicy` fields (pay week,
grace, routing thresholds...; unset ones keep their defaults), from `plexlabor:validationPolicy`. Besides the
functions that validate punches, those that count weekly overtime or certification validity read its plant facts
(`pay_week_starts`, `certification_expiry`) from it: one place for each (`validation.policy.PolicySettings`)."""
DEFAULT_SUPERVISOR_ID = "DEFAULT_SUPERVISOR_ID"
APPROVAL_WAIT_SECONDS = "APPROVAL_WAIT_SECONDS"
NOTIFY_SENDER = "NOTIFY_SENDER"
APPROVAL_BASE_URL = "APPROVAL_BASE_URL"
CHAT_WEBHOOK_URL = "CHAT_WEBHOOK_URL"
SUPERVISOR_DIRECTORY_TTL_S = "SUPERVISOR_DIRECTORY_TTL_S"
SHOW_NAMES_TO = "SHOW_NAMES_TO"
"""Comma-separated roles (supervisor, planner, hr, admin) who see people's names beside their employee
numbers on pages and in e-mail, or `none`; unset = all four. Others see the employee number only."""
ARTIFACTS_DIR = "PLEXLABOR_ARTIFACTS_DIR"
"""A folder for model artifacts instead of the bucket (local runs)."""
COPILOT_BEDROCK_MODEL_ID = "COPILOT_BEDROCK_MODEL_ID"
"""The Bedrock model that words the copilot's steps answers (Converse API); unset: the steps as written."""
INCIDENT_TRANSCRIBE_LANGUAGE = "INCIDENT_TRANSCRIBE_LANGUAGE"
"""A language code (`en-US`): incident_log transcribes recorded reports with Amazon Transcribe through the
artifacts bucket (`plexlabor.incidents.transcribe`); unset: recordings are refused, reports are typed."""

# Sign-in (Amazon Cognito user pool, its hosted UI and the web app's app client)
COGNITO_USER_POOL_ID = "COGNITO_USER_POOL_ID"
COGNITO_CLIENT_ID = "COGNITO_CLIENT_ID"
COGNITO_REGION = "COGNITO_REGION"
"""The pool's region: ID tokens are issued by `https://cognito-idp.<region>.amazonaws.com/<pool id>`."""
COGNITO_HOSTED_UI_URL = "COGNITO_HOSTED_UI_URL"
"""The hosted UI's base URL, `https://<domain prefix>.auth.<region>.amazoncognito.com`."""
WEB_APP_URL = "WEB_APP_URL"
"""The web app's base URL (the API stage URL, ending in `/`): sign-in returns to `<base>auth/callback`."""

# The phased rollout (plexlabor.platform.pilot, docs/rollout.md): unset = plant-wide, every kind, flagged
PILOT_DEPARTMENTS = "PILOT_DEPARTMENTS"
"""Comma-separated department codes whose findings and suggestions may go for review."""
PILOT_WORKCENTERS = "PILOT_WORKCENTERS"
"""Comma-separated workcenter codes, likewise."""
PILOT_SHIFTS = "PILOT_SHIFTS"
"""Comma-separated shift codes, likewise."""
NOTIFY_KINDS = "NOTIFY_KINDS"
"""Comma-separated review kinds that may start an approval or wait for a decision (`punch_finding`, ...; not one
of `platform.pilot.NEVER_HELD`, which always do)."""
ADVISORY_MODE = "ADVISORY_MODE"
"""true: everything is recorded, nothing goes for review, nobody is notified (but `platform.pilot.NEVER_HELD` kinds)."""

# Who hears of the recommendations waiting in the review queue (review_sweep, plexlabor.review.sweep)
REVIEW_HR_EMAILS = "REVIEW_HR_EMAILS"
"""Comma-separated HR addresses: certification alerts and cross-training suggestions."""
REVIEW_PLANNER_EMAILS = "REVIEW_PLANNER_EMAILS"
"""Comma-separated planner addresses: crew assignments, short seats, forecast alerts."""
REVIEW_EHS_EMAILS = "REVIEW_EHS_EMAILS"
"""Comma-separated EHS lead addresses: one digest per sweep of the incidents waiting to be coded or confirmed."""

# Plex: every `PlexSettings` field is `PLEXLABOR_PLEX_<FIELD>` (plexlabor.plex.settings)
PLEX_PREFIX = "PLEXLABOR_PLEX_"
PLEX_BASE_URL = f"{PLEX_PREFIX}BASE_URL"
PLEX_WRITE_MODE = f"{PLEX_PREFIX}WRITE_MODE"

AWS_CLIENT = ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION")
"""Not settings, but where the AWS clients go (the local runtime points them at moto)."""
