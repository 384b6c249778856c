"""Workcenter events paired into sessions and runs (`PlantData._index_events`): in time order, events of one time
and kind in the order read, the same from the batch's plain rows as from models (docs/validation.md section 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plexlabor.models import WorkcenterEvent
from plexlabor.plex.plain import PlainRows, plain_of
from plexlabor.validation.data import PlantData

T0 = datetime(2026, 3, 3, 14, 0, tzinfo=UTC).timestamp()


def _event(event_id: str, kind: str, at: float, workcenter: str, employee: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id,
        "workcenterId": workcenter,
        "eventType": kind,
        "eventTime": datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z"),
        "employeeId": employee,
    }


EVENTS = [  # as read: not in time order
    _event("ev-9", "OperatorLogout", T0 + 3600, "WC2", "E1"),
    _event("ev-1", "OperatorLogin", T0, "WC2", "E1"),  # two logins of E1 at one second: WC2 read first ...
    _event("ev-2", "OperatorLogin", T0, "WC1", "E1"),  # ... then WC1
    _event("ev-3", "RunStart", T0 + 60, "WC1"),
    _event("ev-4", "RunStart", T0 + 600, "WC1"),  # a start without a stop: the first run ended here
    _event("ev-5", "RunStop", T0 + 900, "WC1"),
    _event("ev-6", "RunStart", T0 + 1200, "WC1"),  # never stopped
]


def _indexed(rows: Any) -> PlantData:
    return PlantData.build({"workcenter-events": rows}, "America/Chicago", T0 + 86400)


def _pairs(data: PlantData) -> tuple[Any, ...]:
    sessions = [(s.employee, s.workcenter, s.start, s.end, s.closed_by) for s in data.sessions["E1"]]
    runs = [(start.key, start.id, start.kind, start.t, start.employee, stop) for start, stop in data.runs["WC1"]]
    return sessions, runs, sorted(data.wc_sessions)


def test_events_pair_in_time_order_and_one_time_and_kind_in_the_order_read() -> None:
    sessions, runs, workcenters = _pairs(_indexed(EVENTS))
    assert sessions == [("E1", "WC2", T0, T0 + 3600, None), ("E1", "WC1", T0, None, None)]
    assert runs == [
        ("workcenter-events:ev-3", "ev-3", "RunStart", T0 + 60, None, T0 + 600),
        ("workcenter-events:ev-4", "ev-4", "RunStart", T0 + 600, None, T0 + 900),
        ("workcenter-events:ev-6", "ev-6", "RunStart", T0 + 1200, None, None),
    ]
    assert workcenters == ["WC1", "WC2"]


def test_plain_rows_pair_as_models_do() -> None:
    plain = PlainRows(plain_of(WorkcenterEvent.from_plex(event)) for event in EVENTS)
    assert _pairs(_indexed(plain)) == _pairs(_indexed(EVENTS))
    assert _pairs(_indexed([WorkcenterEvent.from_plex(event) for event in EVENTS])) == _pairs(_indexed(EVENTS))
