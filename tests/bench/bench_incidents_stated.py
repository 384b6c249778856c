"""Sure codes of injury fields only when the text states them (ux_s16 #5), on real OSHA reports.

The same time split as `bench_incidents.py` (oldest 70 % of `PLEXLABOR_OSHA_TRAIN` train, newest 30 % evaluate; the
word lists of `extraction` were written without reading either). Every OSHA report is a severe injury, so the rule
(`service.stated`) can only cost here: printed per field, the share of evaluation reports marked sure and the accuracy
on it, by the model's thresholds alone and with the rule; and how often extraction says an injury is stated, denied
("nobody hurt", wrongly on these reports), and finds equipment said not to be used.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.extraction import extract
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.reports import read_coded_reports, time_split
from plexlabor.incidents.service import stated
from tests.bench.bench_incidents import EVALUATION_SHARE, OSHA


def test_sure_injury_fields_only_when_the_text_states_them() -> None:
    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, test = time_split(read_coded_reports(OSHA), EVALUATION_SHARE)
    classifier = IncidentClassifier.train(train)
    results = classifier.classify_many([report.narrative for report in test])
    reported = datetime(2017, 1, 1, tzinfo=UTC)
    found = [extract(report.narrative, reported) for report in test]
    print(f"\nevaluation {len(test)} reports ({test[0].event_date} to {test[-1].event_date})")
    for of in (Field.NATURE_DIVISION, Field.PART_DIVISION):
        right = np.array([r.code(of) == t.codes[of] for r, t in zip(results, test, strict=True)])
        model = np.array([r.codings[of].confident for r in results])
        rule = model & np.array([stated(of, r.code(of), f) for r, f in zip(results, found, strict=True)])
        for name, sure in (("model's threshold", model), ("+ stated in the text", rule)):
            accuracy = right[sure].mean() if sure.any() else float("nan")
            print(f"  {of.value:16s} {name:22s} sure {sure.mean():6.1%} ({sure.sum()}), accuracy on it {accuracy:.3f}")
    print(
        f"  injury stated {np.mean([bool(f.injuries or f.body_parts) for f in found]):.1%}, "
        f"injury word {np.mean([bool(f.injuries) for f in found]):.1%}, "
        f"said unhurt {sum(bool(f.unhurt) for f in found)}, "
        f"equipment said not used {sum(bool(f.equipment_not_used) for f in found)}, "
        f"PPE not worn {sum(any(not p.worn for p in f.ppe) for f in found)}"
    )
