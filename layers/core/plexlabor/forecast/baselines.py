"""The yardsticks the model must beat, computed from the same past the model sees.

- `standard`: Plex's own number, the standard hours (standard rate x quantity + setup).
- `operation_median`: the median actual/standard of the same part operation's finished runs (its
  10th/90th percentiles as the interval when it ran at least 5 times), else the plant's.
- `seasonal_naive`: "same as last week": the workcenter's actual/standard over the operations it
  finished in the last 7 days, else the plant's, else the standard. A point forecast.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from plexlabor.forecast.data import WEEK, ForecastData
from plexlabor.forecast.features import completed_operations

MIN_RUNS_FOR_INTERVAL = 5


def standard_ratios(n: int) -> np.ndarray:
    return np.ones((n, 3))


def operation_median_ratios(past: ForecastData, op_indexes: np.ndarray) -> np.ndarray:
    done = completed_operations(past)
    by_operation: dict[tuple[str, str], list[float]] = defaultdict(list)
    all_ratios = []
    for o, hours in zip(done.op, done.hours, strict=True):
        op = past.operations[past.operation_ids[o]]
        ratio = hours / op.standard_hours
        by_operation[(op.part_id, op.operation_code)].append(ratio)
        all_ratios.append(ratio)
    plant = np.quantile(all_ratios, [0.1, 0.5, 0.9]) if all_ratios else np.ones(3)
    out = np.empty((len(op_indexes), 3))
    for r, o in enumerate(op_indexes):
        op = past.operations[past.operation_ids[o]]
        runs = by_operation.get((op.part_id, op.operation_code), [])
        if len(runs) >= MIN_RUNS_FOR_INTERVAL:
            out[r] = np.quantile(runs, [0.1, 0.5, 0.9])
        elif runs:
            median = float(np.median(runs))
            out[r] = plant * (median / plant[1])
        else:
            out[r] = plant
    return out


def seasonal_naive_ratios(past: ForecastData, op_indexes: np.ndarray) -> np.ndarray:
    done = completed_operations(past)
    recent = done.last_end >= past.data_end - WEEK
    actual: dict[str, float] = defaultdict(float)
    standard: dict[str, float] = defaultdict(float)
    for o, hours in zip(done.op[recent], done.hours[recent], strict=True):
        op = past.operations[past.operation_ids[o]]
        actual[op.workcenter_id] += hours
        standard[op.workcenter_id] += op.standard_hours
    plant = sum(actual.values()) / sum(standard.values()) if standard else 1.0
    out = np.empty((len(op_indexes), 3))
    for r, o in enumerate(op_indexes):
        wc = past.operations[past.operation_ids[o]].workcenter_id
        out[r] = actual[wc] / standard[wc] if standard.get(wc) else plant
    return out
