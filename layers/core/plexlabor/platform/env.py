"""Every environment variable a plexlabor function reads: the one list of names.

The CDK stack (`infra/constants.py`, `infra/wiring.py`) and the local runtime set them from these
names; each function's settings model (`plexlabor.platform.settings`) reads them by the same names.
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
DEFAULT_SUPERVISOR_ID = "DEFAULT_SUPERVISOR_ID"
APPROVAL_WAIT_SECONDS = "APPROVAL_WAIT_SECONDS"
NOTIFY_SENDER = "NOTIFY_SENDER"
APPROVAL_BASE_URL = "APPROVAL_BASE_URL"
CHAT_WEBHOOK_URL = "CHAT_WEBHOOK_URL"
SUPERVISOR_DIRECTORY_TTL_S = "SUPERVISOR_DIRECTORY_TTL_S"
ARTIFACTS_DIR = "PLEXLABOR_ARTIFACTS_DIR"
"""A folder for model artifacts instead of the bucket (local runs)."""

# Plex: every `PlexSettings` field is `PLEXLABOR_PLEX_<FIELD>` (plexlabor.plex.settings)
PLEX_PREFIX = "PLEXLABOR_PLEX_"
PLEX_BASE_URL = f"{PLEX_PREFIX}BASE_URL"
PLEX_WRITE_MODE = f"{PLEX_PREFIX}WRITE_MODE"

AWS_CLIENT = ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION")
"""Not settings, but where the AWS clients go (the local runtime points them at moto)."""
