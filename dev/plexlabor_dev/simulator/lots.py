"""A molding operation's SOP limits, material lots with measured properties, the machine settings of past
runs and their scrap, with a known ground truth, so parameter suggestions (`plexlabor.copilot.parameters`)
can be scored.

The truth: each lot has best settings, a linear function of its melt flow index, moisture and filler
(`best_settings`); a run's expected scrap rate grows with the scaled distance of its settings from them
(`expected_scrap`: 2 % at the best settings, towards 52 % far off). Operators set each run from the
plant's standard settings, moving half way to the lot's best and with their own noise, inside the SOP's
limits; the scrap observed is a binomial draw of 1,000 parts. Lots are drawn from one distribution, so
held-out lots (`ProcessWorld.held_out`) are new lots of the same material.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from plexlabor.copilot.parameters import Limits, PastRun

SOP_LIMITS: dict[str, tuple[float, float]] = {
    "barrel_temp_c": (210.0, 260.0),
    "injection_pressure_bar": (700.0, 1300.0),
    "hold_time_s": (4.0, 12.0),
}
STANDARD = {"barrel_temp_c": 235.0, "injection_pressure_bar": 1000.0, "hold_time_s": 8.0}
SCALE = {"barrel_temp_c": 12.0, "injection_pressure_bar": 120.0, "hold_time_s": 2.0}
"""How far from the best setting one unit of scrap distance is."""
OPERATOR_NOISE = {"barrel_temp_c": 5.0, "injection_pressure_bar": 50.0, "hold_time_s": 0.8}
PARTS_PER_RUN = 1000


def draw_lot(rng: np.random.Generator) -> dict[str, float]:
    return {
        "melt_flow_index": float(rng.normal(20.0, 4.0)),
        "moisture_pct": float(rng.uniform(0.02, 0.25)),
        "filler_pct": float(rng.normal(30.0, 3.0)),
    }


def best_settings(lot: Mapping[str, float], limits: Limits = SOP_LIMITS) -> dict[str, float]:
    """The settings with the least expected scrap for `lot` (inside the limits)."""
    mfi, moisture, filler = lot["melt_flow_index"] - 20.0, lot["moisture_pct"] - 0.12, lot["filler_pct"] - 30.0
    best = {
        "barrel_temp_c": 235.0 - 2.5 * mfi + 40.0 * moisture + 0.8 * filler,
        "injection_pressure_bar": 1000.0 - 20.0 * mfi + 6.0 * filler,
        "hold_time_s": 8.0 + 8.0 * moisture - 0.1 * mfi,
    }
    return {name: min(max(value, limits[name][0]), limits[name][1]) for name, value in best.items()}


def expected_scrap(lot: Mapping[str, float], settings: Mapping[str, float]) -> float:
    """The ground truth: the expected scrap rate of a run of `lot` at `settings`."""
    best = best_settings(lot)
    distance = sum(((settings[name] - best[name]) / SCALE[name]) ** 2 for name in best)
    return 0.02 + 0.5 * (1.0 - float(np.exp(-0.5 * distance)))


@dataclass(frozen=True)
class ProcessWorld:
    limits: dict[str, tuple[float, float]]
    runs: list[PastRun]
    held_out: list[dict[str, float]]


def operator_settings(lot: Mapping[str, float], rng: np.random.Generator) -> dict[str, float]:
    best = best_settings(lot)
    settings = {}
    for name, (low, high) in SOP_LIMITS.items():
        value = STANDARD[name] + 0.5 * (best[name] - STANDARD[name]) + rng.normal(0.0, OPERATOR_NOISE[name])
        settings[name] = float(min(max(value, low), high))
    return settings


def generate_process(runs: int = 600, held_out: int = 200, seed: int = 12) -> ProcessWorld:
    """`runs` past runs, each on its own lot, and `held_out` new lots."""
    rng = np.random.default_rng(seed)
    past = []
    for number in range(runs):
        lot = draw_lot(rng)
        settings = operator_settings(lot, rng)
        scrapped = int(rng.binomial(PARTS_PER_RUN, expected_scrap(lot, settings)))
        past.append(PastRun(f"RUN-{number:05d}", lot, settings, scrapped / PARTS_PER_RUN))
    return ProcessWorld(dict(SOP_LIMITS), past, [draw_lot(rng) for _ in range(held_out)])
