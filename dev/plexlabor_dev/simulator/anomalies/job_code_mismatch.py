"""JOB_CODE_MISMATCH: the entry is charged to a job operation not approved at its workcenter.

The operator keys a recent operation of another workcenter; normal entries always charge an approved
one, so the label follows the definition. Takes precedence over IMPROBABLE_DURATION (one per entry).
The label's detail names the operation really worked (`worked <job operation id>`), the truth labor
allocation is measured against (`tests/bench/bench_allocation.py`).
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import LaborDraft, LaborEntryInjector
from plexlabor_dev.simulator.context import Sim


class JobCodeMismatch(LaborEntryInjector):
    anomaly = AnomalyType.JOB_CODE_MISMATCH
    labels = frozenset({AnomalyType.JOB_CODE_MISMATCH})
    rate = 0.10

    def apply(self, sim: Sim, draft: LaborDraft) -> bool:
        world, wc_id = sim.world, draft.wc_id
        foreign = [
            s
            for s in world.recent_ops
            if s.workcenter_id != wc_id and wc_id not in world.approved_at[(s.part_id, s.operation_code)]
        ]
        if not foreign:
            return False
        draft.worked, draft.charged = draft.charged, sim.rng.choice(foreign)
        return True

    def label(self, sim: Sim, draft: LaborDraft, entry_id: str) -> None:
        assert draft.worked is not None  # set by apply
        sim.label("labor-entries", entry_id, self.anomaly, draft.person.id, f"worked {draft.worked.id}")


JOB_CODE_MISMATCH = JobCodeMismatch()
