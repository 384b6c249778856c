"""Parameter suggestions for a material lot (issue 12): on held-out generated lots, the share inside the
SOP's limits and the simulated scrap of the suggested settings against the lot-average settings.

The world is `plexlabor_dev.simulator.lots` (a molding operation with a known ground truth: each lot's
best settings, and the expected scrap of any settings). The suggester sees only the past runs (lot
properties, settings, observed scrap of 1,000 parts) and the new lot's properties; its settings
(`SuggestionSettings()`: 5 neighbours, good = scrap ≤ 5 %) were fixed before this bench was run and not
tuned on it. "Lot-average settings" = the average settings of the past runs that went well, whatever
their lot (the stronger of the two averages; the average of all runs is printed too). Scrap is the
ground truth's expected rate, not a draw. Run by `make bench`.
"""

from __future__ import annotations

import numpy as np

from plexlabor.copilot.parameters import SuggestionSettings, inside, suggest
from plexlabor_dev.simulator.lots import expected_scrap, generate_process, operator_settings

SEEDS = (12, 13, 14)
TARGET_REDUCTION = 0.20


def test_suggestions_on_held_out_lots_stay_inside_the_limits_and_cut_scrap() -> None:
    print(f"\ncopilot parameter suggestions ({SuggestionSettings()}), 600 past runs, 200 held-out lots per seed")
    for seed in SEEDS:
        world = generate_process(runs=600, held_out=200, seed=seed)
        settings = SuggestionSettings()
        good = [run for run in world.runs if run.scrap_rate <= settings.good_scrap_rate]
        average = {name: float(np.mean([run.settings[name] for run in good])) for name in world.limits}
        everyone = {name: float(np.mean([run.settings[name] for run in world.runs])) for name in world.limits}
        rng = np.random.default_rng(seed + 1000)
        suggested, baseline, all_runs, practice, refused, outside = [], [], [], [], 0, 0
        for lot in world.held_out:
            suggestion = suggest(world.limits, world.runs, lot, settings)
            if suggestion.reason is not None:
                refused += 1
                continue
            outside += not inside(world.limits, suggestion.settings)
            assert len(suggestion.runs) == settings.neighbours
            suggested.append(expected_scrap(lot, suggestion.settings))
            baseline.append(expected_scrap(lot, average))
            all_runs.append(expected_scrap(lot, everyone))
            practice.append(expected_scrap(lot, operator_settings(lot, rng)))
        reduction = 1 - np.mean(suggested) / np.mean(baseline)
        print(
            f"seed {seed}: {len(good)} good runs; {len(suggested)} lots suggested, {refused} refused (unlike any good "
            f"run); inside the SOP's limits {len(suggested) - outside}/{len(suggested)}; mean simulated scrap: "
            f"suggested {np.mean(suggested):.3f}, lot-average (good runs) {np.mean(baseline):.3f}, "
            f"average of all runs {np.mean(all_runs):.3f}, operators' practice {np.mean(practice):.3f}; "
            f"reduction vs lot-average {reduction:.1%} (target {TARGET_REDUCTION:.0%}: "
            f"{'met' if reduction >= TARGET_REDUCTION else 'MISSED'})"
        )
        assert outside == 0
