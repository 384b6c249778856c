"""LABOR_OUTSIDE_OPERATION: labor charged to a job operation after Plex shows it complete.

Two ways it happens, both drawn per finished labor entry that no other labor-entry anomaly took:

- **kept charging**: the entry that made the operation's last piece stays charged to it for a while after
  (the operator went on to the next job without switching; the next entry starts that much later). How
  long depends on the difficulty (`KEPT_MINUTES`, at most a quarter of the entry, so its output per hour
  stays within normal variation): at `hard` 8-30 min, against normal entries that end up to 10 min after
  the actual end (the operator clears the machine after the last piece; `production.emit_operations`);
- **stale job**: the entry is charged to the operation of the same part the workcenter finished last
  (its last piece made before the entry began), while the next job's was worked (the label's detail names
  it, `worked <job operation id>`, as JOB_CODE_MISMATCH's does); entries as long as `STALE_MINUTES`.

The operation is routed to the workcenter and runs at the same rate, so neither the job code
(JOB_CODE_MISMATCH) nor the output (IMPROBABLE_DURATION) gives it away; the operation's actual end in
Plex, before the entry's, does. The draws come from a stream of their own (`Sim.operations_rng`), so
the records of a plant are otherwise unchanged.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import LaborDraft, LaborEntryInjector
from plexlabor_dev.simulator.context import MINUTE, Sim
from plexlabor_dev.simulator.difficulty import Difficulty

KEPT_MINUTES: dict[Difficulty, tuple[float, float]] = {
    "easy": (45, 120),
    "realistic": (15, 60),
    "hard": (8, 30),
}
"""How long the entry stays charged after the operation's last piece."""
KEPT_SHARE = 0.25
"""At most this share of the entry's length."""
STALE_MINUTES: dict[Difficulty, tuple[float, float]] = {
    "easy": (60, 600),
    "realistic": (20, 240),
    "hard": (8, 40),
}
"""How long an entry charged to the last completed job runs (all of it after that job's end)."""


class LaborOutsideOperation(LaborEntryInjector):
    anomaly = AnomalyType.LABOR_OUTSIDE_OPERATION
    labels = frozenset({AnomalyType.LABOR_OUTSIDE_OPERATION})
    rate = 0.05  # of the entries that did not make their operation's last piece (stale job)
    kept_rate = 0.5  # of those that did (about 1 in 14 entries: most end with the stretch of work)

    def apply_at(self, sim: Sim, draft: LaborDraft, start: float, end: float, stretch_end: float) -> bool:
        """Bend the entry (if drawn, and it offers a way that suits the difficulty); False leaves it as it was."""
        rng, worked = sim.operations_rng, draft.charged
        if rng.random() >= (self.kept_rate if worked.remaining <= 0 else self.rate) * sim.scale:
            return False
        if worked.remaining <= 0:  # this entry made the last piece
            kept = rng.uniform(*KEPT_MINUTES[sim.difficulty]) * MINUTE
            if kept > KEPT_SHARE * (end - start) or end + kept > min(stretch_end, sim.as_of) - MINUTE:
                return False
            if worked.last_end is not None and worked.last_end > end:
                return False  # a colleague's labor on it ended later (days are drawn person by person)
            draft.overrun = kept
            return True
        low, high = STALE_MINUTES[sim.difficulty]
        if not low * MINUTE <= end - start <= high * MINUTE:
            return False
        done = [
            op
            for op in sim.world.completed_ops[draft.wc_id]
            if op is not worked
            and (op.part_id, op.operation_code) == (worked.part_id, worked.operation_code)
            and op.last_end is not None
            and op.last_end <= start
        ]
        if not done:
            return False
        draft.worked, draft.charged = worked, max(done, key=lambda op: op.last_end or 0.0)
        return True

    def label(self, sim: Sim, draft: LaborDraft, entry_id: str) -> None:
        if draft.worked is None:
            detail = f"kept charged {draft.overrun / MINUTE:.0f} min after the last piece"
        else:
            detail = f"worked {draft.worked.id}"
        sim.label("labor-entries", entry_id, self.anomaly, draft.person.id, detail)


LABOR_OUTSIDE_OPERATION = LaborOutsideOperation()
