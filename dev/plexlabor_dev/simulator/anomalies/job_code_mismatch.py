"""JOB_CODE_MISMATCH: the entry is charged to a job operation not approved at its workcenter.

The operator keys a recent operation of another workcenter; normal entries always charge an approved
one, so the label follows the definition. Takes precedence over IMPROBABLE_DURATION (one per entry).
The label's detail names the operation really worked (`worked <job operation id>`), the truth labor
allocation is measured against (`tests/bench/bench_allocation.py`).

Hotspots (`PlantSpec.misapplication_hotspots` > 0, off by default): a share of (shift, workcenter, part
operation) combinations, fixed per plant, gets misapplied job codes at `HOTSPOT_RATE` on top, so which
combinations get misapplied can be predicted from past weeks (`tests/bench/bench_misapplication.py`).
Those draws come from `Sim.misapplication_rng`, so a plant without hotspots is unchanged.
"""

from __future__ import annotations

import random

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import LaborDraft, LaborEntryInjector
from plexlabor_dev.simulator.context import Sim


class JobCodeMismatch(LaborEntryInjector):
    anomaly = AnomalyType.JOB_CODE_MISMATCH
    labels = frozenset({AnomalyType.JOB_CODE_MISMATCH})
    rate = 0.10
    HOTSPOT_RATE = 0.2
    """Chance that an entry of a hotspot combination is charged to a wrong job code (besides `rate`)."""

    def apply(self, sim: Sim, draft: LaborDraft, rng: random.Random | None = None) -> bool:
        world, wc_id = sim.world, draft.wc_id
        foreign = [
            s
            for s in world.recent_ops
            if s.workcenter_id != wc_id and wc_id not in world.approved_at[(s.part_id, s.operation_code)]
        ]
        if not foreign:
            return False
        draft.worked, draft.charged = draft.charged, (rng or sim.rng).choice(foreign)
        return True

    def at_hotspot(self, sim: Sim, draft: LaborDraft) -> bool:
        """Misapply the entry's job code if its combination is a hotspot and its own draw says so."""
        share = sim.spec.misapplication_hotspots
        if share <= 0:
            return False
        op = draft.charged
        combination = f"{sim.spec.seed}:{draft.person.shift.code}:{draft.wc_id}:{op.part_id}:{op.operation_code}"
        if random.Random(combination).random() >= share:
            return False
        rng = sim.misapplication_rng
        return rng.random() < self.HOTSPOT_RATE and self.apply(sim, draft, rng)

    def label(self, sim: Sim, draft: LaborDraft, entry_id: str) -> None:
        assert draft.worked is not None  # set by apply
        sim.label("labor-entries", entry_id, self.anomaly, draft.person.id, f"worked {draft.worked.id}")


JOB_CODE_MISMATCH = JobCodeMismatch()
