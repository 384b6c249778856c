"""The DynamoDB table schemas of the audit package, defined once.

Pure data (no boto3): the adapters and `create_*_table` helpers build from it, and the CDK
construct can import it so the deployed tables cannot drift from what the code queries.

Audit table (append-only, on-demand):
    PK `record_key` (S)            the Plex record's stable key, e.g. `time-clock-entries:123`
    SK `event_sk` (S)              `<UTC time>#<event_type>#<event_id>`
    GSI `gsi_status`               `gsi_status_pk` = status, `gsi_status_sk` = `<UTC time>#<event_id>`
    GSI `gsi_supervisor`           `gsi_supervisor_pk` = supervisor_id, `gsi_supervisor_sk` as above
    GSI `gsi_employee`             `gsi_employee_pk` = employee_id, `gsi_employee_sk` as above
    GSI `gsi_finding`              `gsi_finding_pk` = finding_id, `gsi_finding_sk` as above
    GSI `gsi_kind`                 `gsi_kind_pk` = the event's kind (`AuditEvent.kind`: its payload's
                                   `kind`, e.g. `incident_coding`), `gsi_kind_sk` as above
    GSI `gsi_plan_day`             `gsi_plan_day_pk` = the day a crew event is about (`AuditEvent.plan_day`: its
                                   payload's `plan_day`, `YYYY-MM-DD`: a crew suggestion, a re-plan's `applied`
                                   event, a board claim), `gsi_plan_day_sk` as above: a day's crew read is one
                                   partition, not every status of every day since the plan horizon (issue 16)
    every GSI projects ALL; the supervisor, employee, finding, kind and plan-day indexes are sparse (events without
    that id, kind or day carry no key attribute). Events appended before the kind index existed carry no key of it
    until `AuditStore.index_kind` puts them again, unchanged, with it (`plexlabor incidents reindex`); likewise the
    plan-day index (`AuditStore.add_to_index`, `plexlabor crew reindex`).
    `<UTC time>` is `YYYY-MM-DDThh:mm:ss.ffffffZ` (fixed width).
    One more item kind shares the table: an event-id guard per event (`record_key` =
    `#event#<event_id>`, `event_sk` = `#guard`, `target_record_key` and `target_event_sk` pointing
    at the event; no index attributes) written in the same transaction as the event, so an event_id
    can be recorded once only, whatever its time or record. Record keys never start with `#`.

State table (small operational state, on-demand, TTL on `expires_at`):
    PK `pk` (S), SK `sk` (S); used-link nonces are `pk` = `link#<nonce>`, `sk` = `link`,
    `expires_at` (N, epoch seconds). Punches validated (`plexlabor.audit.validations`, the KPI page's
    denominator): a marker per record counted, `pk` = `validated#<the record's plant-local day>`,
    `sk` = the record key, `counted_on`, `expires_at` (`VALIDATED_KEEP_DAYS`); and per plant-local day
    counted, `VALIDATION_SHARDS` counter items, `pk` = `validations#daily`, `sk` = `<YYYY-MM-DD>#<shard>`,
    with the numbers `validated`, `resource#<resource>` and `department#<code>` (no TTL: one small item
    per shard and day). A marker and its counter increment are written in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IndexSpec:
    """A global secondary index on two string attributes, projecting ALL attributes."""

    name: str
    partition_key: str
    sort_key: str
    projection: str = "ALL"


@dataclass(frozen=True)
class TableSpec:
    """A table keyed on two string attributes, billed on demand."""

    partition_key: str
    sort_key: str
    indexes: tuple[IndexSpec, ...] = ()
    ttl_attribute: str | None = None
    billing_mode: str = "PAY_PER_REQUEST"
    key_type: str = "S"

    def index(self, name: str) -> IndexSpec:
        return next(index for index in self.indexes if index.name == name)

    def create_table_kwargs(self, table_name: str) -> dict[str, Any]:
        """The arguments of DynamoDB `CreateTable` for this schema."""
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names += [index.partition_key, index.sort_key]
        kwargs: dict[str, Any] = {
            "TableName": table_name,
            "BillingMode": self.billing_mode,
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": self.key_type} for name in dict.fromkeys(names)
            ],
            "KeySchema": _key_schema(self.partition_key, self.sort_key),
        }
        if self.indexes:
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": _key_schema(index.partition_key, index.sort_key),
                    "Projection": {"ProjectionType": index.projection},
                }
                for index in self.indexes
            ]
        return kwargs


def _key_schema(partition_key: str, sort_key: str) -> list[dict[str, str]]:
    return [
        {"AttributeName": partition_key, "KeyType": "HASH"},
        {"AttributeName": sort_key, "KeyType": "RANGE"},
    ]


GSI_STATUS = "gsi_status"
GSI_SUPERVISOR = "gsi_supervisor"
GSI_EMPLOYEE = "gsi_employee"
GSI_FINDING = "gsi_finding"
GSI_KIND = "gsi_kind"
GSI_PLAN_DAY = "gsi_plan_day"

INDEX_FIELDS: dict[str, str] = {
    GSI_STATUS: "status",
    GSI_SUPERVISOR: "supervisor_id",
    GSI_EMPLOYEE: "employee_id",
    GSI_FINDING: "finding_id",
    GSI_KIND: "kind",
    GSI_PLAN_DAY: "plan_day",
}
"""The event field each index is keyed on (its partition key holds that field's value)."""

AUDIT_TABLE = TableSpec(
    partition_key="record_key",
    sort_key="event_sk",
    indexes=tuple(
        IndexSpec(name=name, partition_key=f"{name}_pk", sort_key=f"{name}_sk")
        for name in (GSI_STATUS, GSI_SUPERVISOR, GSI_EMPLOYEE, GSI_FINDING, GSI_KIND, GSI_PLAN_DAY)
    ),
)
"""The audit table. Keep deletion protection and point-in-time recovery on. Writers need
`dynamodb:PutItem` only (the Puts inside the append transaction are authorised as PutItem),
readers `dynamodb:Query` on the table and its indexes; never grant UpdateItem or DeleteItem."""

EVENT_GUARD_PREFIX = "#event#"
EVENT_GUARD_SK = "#guard"

STATE_TABLE = TableSpec(partition_key="pk", sort_key="sk", ttl_attribute="expires_at")
"""The state table. TTL deletes used-link nonces some time after their link has expired."""

LINK_PK_PREFIX = "link#"
LINK_SK = "link"
LINK_RELEASED = "released"
"""Set (true) on a used-link item whose decision did not happen: the nonce may be consumed again."""

VALIDATED_PK_PREFIX = "validated#"
"""A counted record's marker: `pk` = `validated#<record day>`, `sk` = its record key."""
VALIDATIONS_PK = "validations#daily"
"""The daily counters' partition: `sk` = `<YYYY-MM-DD>#<shard>` (one Query reads a period)."""
VALIDATION_SHARDS = 8
"""Counter items per day: every count is a transaction on its day's counter, and transactions on one
item conflict; a record always lands on the same shard (a hash of its key)."""
VALIDATED_KEEP_DAYS = 400
"""How long a marker stays (TTL): a record validated again later than this is counted again."""
