"""Data Source API transport: `POST {base}/api/datasources/{id}/execute`, HTTP Basic, `{"inputs": {...}}`.

Two response shapes are seen in public clients and both are accepted:
  `{"outputs": {...}, "tables": [{"columns": [...], "rows": [[...], ...]}], "transactionNo": "..."}`
  `{"outputs": {...}, "rows": [{...}, ...], "transactionNo": "..."}` (e.g. with `?format=2`)
A row-limit flag (`rowLimitExceeded`, `RowLimitExceeded` or `row_limit_exceeded`, at the top level or
in `outputs`) means the answer was truncated: by default that raises `PlexRowLimitError`; with
`datasource_row_limit="warn"` it logs a warning and returns the truncated rows flagged.

Retries: the execute call is a POST, but the data sources plexlabor calls are read-only queries, so
`execute(..., read_only=True)` (the default) is retried like a GET. A data source that writes must be
called with `read_only=False`: then it is sent exactly once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import requests
from requests.auth import HTTPBasicAuth

from plexlabor.platform import env
from plexlabor.plex.errors import PlexError, PlexRequestError, PlexRowLimitError
from plexlabor.plex.settings import ENV_PREFIX
from plexlabor.plex.transport import USER_AGENT, PacedTransport, json_body

logger = logging.getLogger(__name__)

ROW_LIMIT_FLAGS = ("rowLimitExceeded", "RowLimitExceeded", "row_limit_exceeded")


@dataclass(frozen=True)
class DataSourceResult:
    """One data source answer, rows keyed by the tenant's column names."""

    rows: list[dict[str, Any]]
    outputs: dict[str, Any] = field(default_factory=dict)
    transaction_no: str | None = None
    row_limit_exceeded: bool = False


def _flag(data: Mapping[str, Any]) -> bool:
    return any(bool(data.get(name)) for name in ROW_LIMIT_FLAGS)


def parse_datasource_response(body: Any) -> DataSourceResult:
    """Normalise either response shape into rows of `{column: value}`; raise on an `errors` list."""
    if not isinstance(body, Mapping):
        raise PlexError(f"data source answer is a {type(body).__name__}, expected a JSON object")
    outputs = body.get("outputs") or {}
    if not isinstance(outputs, Mapping):
        outputs = {}
    transaction = body.get("transactionNo") or body.get("TransactionNo")
    errors = body.get("errors") or body.get("Errors")
    if errors:
        raise PlexRequestError(
            "data source reported errors",
            status=200,
            errors=errors if isinstance(errors, list) else [errors],
            path=f"transaction {transaction}" if transaction else None,
        )
    rows: list[dict[str, Any]] = []
    if isinstance(body.get("tables"), list):
        for table in body["tables"]:
            columns = [str(column) for column in table.get("columns") or []]
            for values in table.get("rows") or []:
                if isinstance(values, Mapping):
                    rows.append(dict(values))
                else:
                    rows.append(dict(zip(columns, values, strict=False)))
    elif isinstance(body.get("rows"), list):
        rows = [dict(row) for row in body["rows"]]
    return DataSourceResult(
        rows=rows,
        outputs=dict(outputs),
        transaction_no=str(transaction) if transaction is not None else None,
        row_limit_exceeded=_flag(body) or _flag(outputs),
    )


def map_columns(rows: list[dict[str, Any]], field_map: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rename tenant columns to model fields (`{model field: column}`); other columns pass through."""
    by_column = {column: name for name, column in field_map.items()}
    by_lower = {column.lower(): name for column, name in by_column.items()}
    mapped = []
    for row in rows:
        out: dict[str, Any] = {}
        for column, value in row.items():
            out[by_column.get(column) or by_lower.get(column.lower()) or column] = value
        mapped.append(out)
    return mapped


class DataSourceTransport(PacedTransport):
    """HTTP to the Data Source API, Basic auth, its own rate-limit bucket. Its session retries the
    read-only data sources' POSTs; a data source that writes goes through `_write_session`, sent once."""

    surface = "datasource"
    read_methods = frozenset({"POST"})

    @cached_property
    def _write_session(self) -> requests.Session:
        session = requests.Session()
        session.verify = self.settings.verify_tls
        return session

    def _auth(self) -> HTTPBasicAuth:
        user, password = self.settings.datasource_username, self.settings.datasource_password
        if user is None or not user.get_secret_value() or password is None:
            raise PlexError(f"Data Source API credentials are not configured: {self._where_credentials_go()}")
        return HTTPBasicAuth(user.get_secret_value(), password.get_secret_value())

    def _where_credentials_go(self) -> str:
        """The Plex secret's JSON form where the secret is read (on AWS the stack refuses credential variables,
        `infra.constants.PLEX_SECRET_SETTINGS`), else the variables."""
        if self.settings.from_plex_secret:
            return (
                f"the Plex secret ({env.PLEX_API_KEY_SECRET_ARN}) has no datasource_username / datasource_password; "
                'store it as JSON {"api_key": "...", "datasource_username": "...", "datasource_password": "..."} '
                '(docs/plex-integration.md, "The Plex secret")'
            )
        return f"set {ENV_PREFIX}DATASOURCE_USERNAME and {ENV_PREFIX}DATASOURCE_PASSWORD"

    def execute(
        self, datasource_id: int, inputs: Mapping[str, Any] | None = None, *, read_only: bool = True
    ) -> DataSourceResult:
        """Run one data source and return its rows (tenant column names)."""
        path = f"/api/datasources/{int(datasource_id)}/execute"
        params = {"format": self.settings.datasource_format} if self.settings.datasource_format else {}
        started = time.perf_counter()
        response = self._paced_send(
            self._session if read_only else self._write_session,
            "POST",
            self.settings.datasource_base_url,
            path,
            params=params,
            json={"inputs": dict(inputs or {})},
            auth=self._auth(),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )
        result = parse_datasource_response(json_body(response, "POST", path))
        if result.row_limit_exceeded:
            message = (
                f"data source {datasource_id} hit its row limit: {len(result.rows)} rows came back and "
                "more exist; narrow the inputs (smaller date_chunk_days)"
            )
            if self.settings.datasource_row_limit == "raise":
                raise PlexRowLimitError(message, status=response.status_code, method="POST", path=path)
            logger.warning(message, extra={"datasource_id": datasource_id})
        logger.debug(
            "plex data source",
            extra={
                "datasource_id": datasource_id,
                "rows": len(result.rows),
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return result

    def close(self) -> None:
        super().close()
        if "_write_session" in self.__dict__:  # made only when a data source that writes was called
            self._write_session.close()
