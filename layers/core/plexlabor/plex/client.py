"""`PlexLaborClient`: the labor-data port over Plex Connect REST and the Data Source API."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from plexlabor import models
from plexlabor.models.types import format_plex_datetime
from plexlabor.plex.datasource import DataSourceTransport, map_columns
from plexlabor.plex.defaults import (
    BEGIN_DATE_PARAM,
    DATASOURCE_WINDOW_FIELDS,
    EMPLOYEE_ID_PARAM,
    END_DATE_PARAM,
    JOB_KEYS_INPUT,
    JOB_OPERATIONS_DATASOURCE,
    MODIFIED_END_PARAM,
    MODIFIED_START_PARAM,
    REST_READ_RESOURCES,
    REST_WINDOW_FIELDS,
)
from plexlabor.plex.errors import PlexRowLimitError
from plexlabor.plex.port import Extract, ModelT, TypedReads
from plexlabor.plex.settings import PlexSettings, load_plex_settings
from plexlabor.plex.transport import ConnectTransport, fill_path
from plexlabor.plex.windows import check_window, date_windows, in_order, modified_marker, moment_of

logger = logging.getLogger(__name__)


class PlexLaborClient(TypedReads):
    """Reads labor data from Plex (or the simulator). Date windows are read in `date_chunk_days`
    pieces (Plex has no pagination), re-checked against the whole window and de-duplicated by id."""

    def __init__(
        self,
        settings: PlexSettings | None = None,
        *,
        connect: ConnectTransport | None = None,
        datasource: DataSourceTransport | None = None,
    ) -> None:
        self.settings = settings or load_plex_settings()
        self.connect = connect or ConnectTransport(self.settings)
        self._datasource = datasource

    @property
    def datasource(self) -> DataSourceTransport:
        if self._datasource is None:
            self._datasource = DataSourceTransport(self.settings)
        return self._datasource

    def close(self) -> None:
        self.connect.close()
        if self._datasource is not None:
            self._datasource.close()

    def __enter__(self) -> PlexLaborClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the plant ------------------------------------------------------------------------------
    def timezone(self) -> str:
        """The zone of the plant's buildings (the first by building code that names one), else UTC."""
        zones = [b.timezone for b in sorted(self.buildings(), key=lambda b: b.building_code) if b.timezone]
        return zones[0] if zones else "UTC"

    def extract(self) -> Extract | None:
        """None: Plex is live, its data runs up to now."""
        return None

    # -- Connect REST ---------------------------------------------------------------------------
    def _rest_list(
        self, resource: str, model: type[ModelT], path_params: Mapping[str, Any] | None = None
    ) -> list[ModelT]:
        path = fill_path(self.settings.path_for(resource), path_params)
        return model.from_plex_list(self.connect.get_list(path))

    def _rest_window(
        self,
        resource: str,
        model: type[ModelT],
        begin: datetime,
        end: datetime,
        *,
        params: tuple[str, str],
        moment: Callable[[Any], datetime | None],
        extra: Mapping[str, str] | None = None,
    ) -> list[ModelT]:
        path = fill_path(self.settings.path_for(resource))

        def fetch(lower: datetime, upper: datetime) -> list[ModelT]:
            query = {params[0]: format_plex_datetime(lower), params[1]: format_plex_datetime(upper)}
            query.update(extra or {})
            return model.from_plex_list(self.connect.get_list(path, query))

        return self._in_chunks(fetch, moment, begin, end)

    def _in_chunks(
        self,
        fetch: Callable[[datetime, datetime], list[ModelT]],
        moment: Callable[[Any], datetime | None],
        begin: datetime,
        end: datetime,
    ) -> list[ModelT]:
        """Read [begin, end) in `date_chunk_days` pieces (Plex has no pagination); each record once, in order.

        Chunk edges overlap when Plex's bounds are inclusive: records are de-duplicated by id and kept only
        when their own date falls in the window.
        """
        begin, end = check_window(begin, end)
        pieces = date_windows(begin, end, self.settings.date_chunk_days)
        return in_order((record for lower, upper in pieces for record in fetch(lower, upper)), begin, end, moment)

    def _all(self, model: type[ModelT]) -> list[ModelT]:
        if model.resource in REST_READ_RESOURCES:
            return self._rest_list(model.resource, model)
        return self._ds_list(model.resource, model)

    def _window(self, model: type[ModelT], begin: datetime, end: datetime) -> list[ModelT]:
        if model.resource not in REST_WINDOW_FIELDS:
            return self._ds_window(model.resource, model, begin, end)
        return self._rest_window(
            model.resource,
            model,
            begin,
            end,
            params=(BEGIN_DATE_PARAM, END_DATE_PARAM),
            moment=moment_of(REST_WINDOW_FIELDS[model.resource]),
        )

    def job_operations(self, job_id: str | None = None) -> list[models.JobOperation]:
        if job_id is not None:
            return self._rest_list("job-operations", models.JobOperation, {"jobId": job_id})
        jobs = self.jobs()
        logger.info("reading operations job by job", extra={"jobs": len(jobs)})
        operations: list[models.JobOperation] = []
        for job in jobs:
            operations.extend(self._rest_list("job-operations", models.JobOperation, {"jobId": job.id}))
        return operations

    def job_operations_of(self, job_ids: Sequence[str]) -> list[models.JobOperation]:
        """One REST call per job; where the tenant configures the `job-operations` data source (its id in
        `datasources`), one call of it per `job_keys_per_call` jobs, the keys comma-separated."""
        if JOB_OPERATIONS_DATASOURCE not in self.settings.datasources:
            return super().job_operations_of(job_ids)
        order = {job_id: index for index, job_id in enumerate(job_ids)}
        size, operations = self.settings.job_keys_per_call, []
        for start in range(0, len(job_ids), size):
            operations.extend(models.JobOperation.from_plex_list(self._operation_rows(job_ids[start : start + size])))
        kept = [operation for operation in operations if operation.job_id in order]  # a key it was not asked for: none
        kept.sort(key=lambda operation: order[operation.job_id])  # stable: each job's operations as the source gave
        return kept

    def _operation_rows(self, job_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The `job-operations` data source's rows for `job_ids`; an answer over the tenant's row limit is
        asked again in halves (a crew read must not lose operations, and how many a job has is not known
        before): only one job over the limit fails (`PlexRowLimitError`)."""
        try:
            return self._ds_rows(JOB_OPERATIONS_DATASOURCE, {JOB_KEYS_INPUT: ",".join(job_ids)})
        except PlexRowLimitError:
            if len(job_ids) == 1:
                raise
            half = len(job_ids) // 2
            logger.info("job operations over the row limit: asked again in halves", extra={"jobs": len(job_ids)})
            return self._operation_rows(job_ids[:half]) + self._operation_rows(job_ids[half:])

    def time_clock_entries(
        self, begin: datetime, end: datetime, *, employee_id: str | None = None
    ) -> list[models.TimeClockEntry]:
        return self._rest_window(
            "time-clock-entries",
            models.TimeClockEntry,
            begin,
            end,
            params=(BEGIN_DATE_PARAM, END_DATE_PARAM),
            moment=moment_of(REST_WINDOW_FIELDS["time-clock-entries"]),
            extra={EMPLOYEE_ID_PARAM: employee_id} if employee_id else None,
        )

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[models.TimeClockEntry]:
        return self._rest_window(
            "time-clock-entries",
            models.TimeClockEntry,
            since,
            until,
            params=(MODIFIED_START_PARAM, MODIFIED_END_PARAM),
            moment=modified_marker,
        )

    # -- Data Source API ------------------------------------------------------------------------
    def _ds_rows(self, name: str, inputs: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        result = self.datasource.execute(self.settings.datasource_id(name), inputs)
        return map_columns(result.rows, self.settings.datasource_fields.get(name, {}))

    def _ds_list(self, name: str, model: type[ModelT]) -> list[ModelT]:
        return model.from_plex_list(self._ds_rows(name))

    def _ds_window(self, name: str, model: type[ModelT], begin: datetime, end: datetime) -> list[ModelT]:
        begin_input, end_input = self.settings.datasource_date_inputs

        def fetch(lower: datetime, upper: datetime) -> list[ModelT]:
            inputs = {begin_input: format_plex_datetime(lower), end_input: format_plex_datetime(upper)}
            return model.from_plex_list(self._ds_rows(name, inputs))

        return self._in_chunks(fetch, moment_of(DATASOURCE_WINDOW_FIELDS[name]), begin, end)
