"""JOB_CODE_MISMATCH: the entry is charged to a job operation not approved at its workcenter.

The operator keys a recent operation of another workcenter; normal entries always charge an approved
one, so the label follows the definition. Takes precedence over IMPROBABLE_DURATION (one per entry).
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
        draft.charged = sim.rng.choice(foreign)
        return True


JOB_CODE_MISMATCH = JobCodeMismatch()
