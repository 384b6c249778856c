"""The one default map of Plex resource paths, data source ids and data source column names.

`PlexSettings` uses these as its defaults and the simulator serves exactly these, so the client works
against the simulator out of the box. On a real tenant the REST paths are the documented ones (see
DESIGN.md, "Plex, real and simulated"); the data source ids and column names are the *simulator's*
and must be replaced by the tenant's own (see docs/plex-integration.md).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from plexlabor.models import PLANT_MODELS

DEFAULT_BASE_URL: Final = "https://connect.plex.com"
DEFAULT_DATASOURCE_BASE_URL: Final = "https://cloud.plex.com"

# Logical resource -> Connect REST path. `{name}` placeholders are filled (URL-quoted) per call.
DEFAULT_RESOURCE_PATHS: Final = MappingProxyType(
    {
        "employees": "/mdm/v1/employees",
        "user-accounts": "/mdm/v1/user-accounts",
        "time-clock-entries": "/hcm/v1/time-clock-entries",
        "labor-entries": "/production/v1/production-history/labor-entries",
        "labor-entry-create": "/production/v1/production-history/labor-entries",
        "workcenters": "/production/v1/production-definitions/workcenters",
        "approved-workcenters": "/production/v1/production-definitions/approved-workcenters",
        "jobs": "/scheduling/v1/jobs",
        "job-operations": "/scheduling/v1/jobs/{jobId}/operations",
        "workcenter-clockin": "/production/v1/control/workcenters/{workcenterId}/operators/clockin",
        "workcenter-clockout": "/production/v1/control/workcenters/{workcenterId}/operators/clockout",
        "custom-object-data": "/platform/custom-objects/v1/data/{name}",
        # Where a confirmed incident goes as a nonconformance record (`PlexSettings.incident_write_target`).
        # Plex documents no public path for creating one: this is the simulator's, set the tenant's own.
        "nonconformance-create": "/quality/v1/nonconformances",
    }
)

REST_READ_RESOURCES: Final = (
    "employees",
    "user-accounts",
    "time-clock-entries",
    "labor-entries",
    "workcenters",
    "approved-workcenters",
    "jobs",
    "job-operations",
)
"""The REST resources that are read lists (the others in the path map are write targets)."""

# Query parameter names of the REST date filters (documented names; not tenant-specific).
BEGIN_DATE_PARAM: Final = "beginDate"
END_DATE_PARAM: Final = "endDate"
MODIFIED_START_PARAM: Final = "modifiedDateStart"
MODIFIED_END_PARAM: Final = "modifiedDateEnd"
EMPLOYEE_ID_PARAM: Final = "employeeId"

REST_WINDOW_FIELDS: Final = MappingProxyType({"time-clock-entries": "clockinTime", "labor-entries": "startTime"})
"""REST resource -> the camelCase field its `beginDate`/`endDate` filter applies to."""

MODIFIED_FIELD_CHAIN: Final = ("modifiedDate", "createdDate", "clockoutTime", "clockinTime")
"""What `modifiedDateStart/End` compares on a punch: the first of these fields that is present."""

# Logical data source name -> tenant-specific integer id. These ids are the simulator's defaults.
DEFAULT_DATASOURCE_IDS: Final = MappingProxyType(
    {
        "buildings": 90101,
        "clock-devices": 90102,
        "shifts": 90103,
        "shift-assignments": 90104,
        "skills": 90105,
        "certifications": 90106,
        "workcenter-requirements": 90107,
        "workcenter-events": 90108,
        "badge-swipes": 90109,
        "scrap-entries": 90110,
        "downtime-entries": 90111,
        "nonconformances": 90112,
        "indirect-labor-entries": 90113,
    }
)

DATASOURCE_WINDOW_FIELDS: Final = MappingProxyType(
    {
        "shift-assignments": "scheduledStart",
        "workcenter-events": "eventTime",
        "badge-swipes": "swipeTime",
        "scrap-entries": "scrapTime",
        "downtime-entries": "startTime",
        "nonconformances": "foundTime",
        "indirect-labor-entries": "startTime",
    }
)
"""Dated data sources -> the camelCase field their `Begin_Date`/`End_Date` inputs filter on."""

DEFAULT_DATASOURCE_DATE_INPUTS: Final = ("Begin_Date", "End_Date")

JOB_OPERATIONS_DATASOURCE: Final = "job-operations"
"""The data source of the operations of many jobs in one call, used when a tenant configures its id (it is not in
`DEFAULT_DATASOURCE_IDS`: without it each job's operations are one REST call). Input `JOB_KEYS_INPUT`: the job
keys, comma-separated; rows: every operation of those jobs, columns as `DEFAULT_DATASOURCE_FIELDS` names them."""
JOB_KEYS_INPUT: Final = "Job_Keys"
SIMULATOR_JOB_OPERATIONS_ID: Final = 90114
"""The id the simulator serves `JOB_OPERATIONS_DATASOURCE` under."""

# The record-key column of data sources whose model key is a bare `id`.
_ID_COLUMNS: Final = {
    "job-operations": "Job_Op_Key",
    "shift-assignments": "Shift_Assignment_Key",
    "certifications": "Employee_Certification_Key",
    "workcenter-events": "Workcenter_Event_Key",
    "badge-swipes": "Badge_Swipe_Key",
    "scrap-entries": "Scrap_Key",
    "downtime-entries": "Downtime_Key",
    "nonconformances": "Nonconformance_Key",
    "indirect-labor-entries": "Indirect_Labor_Key",
}


def _column_name(resource: str, field_name: str) -> str:
    """`employee_id` -> `Employee_Key`, `swipe_time` -> `Swipe_Time`: Plex SQL-style column names."""
    if field_name == "id":
        return _ID_COLUMNS[resource]
    parts = field_name.split("_")
    if parts[-1] == "id":
        parts[-1] = "key"
    return "_".join(part.capitalize() for part in parts)


def _default_datasource_fields() -> dict[str, dict[str, str]]:
    fields: dict[str, dict[str, str]] = {}
    for resource in (*DEFAULT_DATASOURCE_IDS, JOB_OPERATIONS_DATASOURCE):
        model = PLANT_MODELS[resource]
        fields[resource] = {
            (info.alias or name): _column_name(resource, name) for name, info in model.model_fields.items()
        }
    return fields


DEFAULT_DATASOURCE_FIELDS: Final = MappingProxyType(
    {resource: MappingProxyType(columns) for resource, columns in _default_datasource_fields().items()}
)
"""Data source -> {model field (camelCase) -> tenant column name}. Derived once from the models with a
fixed naming rule, so the simulator's columns really differ from the model fields."""
