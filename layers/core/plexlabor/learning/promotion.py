"""Fit a candidate scorer from decisions, evaluate it against the model in force, decide promotion.

- `split`: time-ordered: the most recent `holdout_fraction` of the decisions (at least `min_holdout`)
  are held out; the candidate trains on the older ones only.
- `fit_candidate`: the families and rule priors the training decisions can fit (a learned family
  needs `min_family_examples` decisions of both verdicts), on top of the model in force: what the
  decisions do not cover keeps the model in force's coefficients (a Lambda has no generated plants).
- `evaluate`: on the held-out decisions, a finding is flagged when the model's confidence reaches the
  review threshold and it is not below the plant's cut of its type, on its magnitude or the type's learned
  review threshold (`sends`, `plexlabor.learning.cuts`);
  precision = upheld among flagged, recall = flagged among upheld (approved). The
  decisions only cover what the model in force sent: a candidate that would send findings nobody
  decided (the same window's `undecided` ones, recorded `logged`) is charged for each as not upheld
  (`unconfirmed`), so sending more than anyone confirmed can never look like better precision.
- `rarely_upheld`: the types the plant's decisions reject as far as their noise allows; an upheld finding
  of one is more likely a wrong decision than a real one, and the recall test does not count it lost.
- `decide`: promote when the candidate's precision is not lower and its recall (`Metrics.counted_recall`: of
  the upheld findings not of a `rarely_upheld` type) not lower by more than `tolerance`, on at least
  `min_holdout` held-out decisions, its recall on the training decisions not lower by more than `tolerance`
  either, the recall the chain of models in force kept since the first one (`recall_kept`, the product of each
  promotion's recall against its model in force) not below 1 - `tolerance` (so the tolerance is spent once,
  not once a week), and the held-out decisions agree with the
  model in force's routing not much less than the training ones did (a batch decided at random drops
  the agreement: comparing two models on noisy labels alone lets one win by chance), it stops sending no
  type's upheld decided findings beyond noise (`types_dropped`) and none of the newest undecided findings the
  model in force sends of a type the plant upholds as often as not (`undecided_dropped`); otherwise it stays
  a shadow candidate. A refused candidate is tried once more as `by_type` (the model in force with the
  candidate's routing of only the types `adoptable_types` finds better on the newest decisions and worse
  on neither window), then, if its cuts differ from the model in force's, as `with_cuts` (the model in
  force's coefficients, the new cuts), each on the same gate.
- Exploration (`plexlabor.validation.exploration`): a decided finding sent as a random sample of what the model
  in force did not send weighs the inverse of its propensity in `evaluate`; `explored_dropped` refuses a model
  that does not send such findings of a type upheld beyond noise, and `restored` routes that type as the
  packaged scorer (the sample's reference) does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from scipy.stats import binomtest

from plexlabor.validation.checks.base import OFFSET, RULE
from plexlabor.validation.decisions import WORK_DAY_KEY, approved
from plexlabor.validation.engine import held_back
from plexlabor.validation.exploration import eligible_not_drawn, kept_only_as_eligible, propensity
from plexlabor.validation.findings import Finding
from plexlabor.validation.scorer import (
    Logistic,
    MagnitudeCut,
    ScorerModel,
    content_version,
    family_of,
    type_family,
)
from plexlabor.validation.training import DECISION_WEIGHT, Example, examples_from_decisions, fit_scorer

REVIEW_THRESHOLD = 0.7  # EngineSettings.review_threshold: what goes to a supervisor
MIN_FAMILY_EXAMPLES = 20
EPSILON = 1e-9  # float noise: 49/50 is 0.98 however it is computed


@dataclass(frozen=True)
class GateSettings:
    tolerance: float = 0.02
    """How much lower the candidate's recall of upheld findings may be and still be promoted."""
    holdout_fraction: float = 0.25
    min_holdout: int = 30
    min_training: int = 50
    review_threshold: float = REVIEW_THRESHOLD
    max_agreement_drop: float = 0.10
    """The recent (held-out) decisions may agree with the model in force's routing this much less than
    the training window's did; beyond it they look noisy (or the policy changed at once): shadow."""
    noise_share: float = 0.05
    """The share of a plant's decisions taken to be wrong at most (the issue's 5 % random decisions): a type
    upheld at most this often is one the plant rejects (`rarely_upheld`)."""
    noise_min_decisions: int = 20
    """Training decisions of a type needed to call it rejected by the plant."""
    noise_significance: float = 0.05
    """A type's held-out upheld decisions beyond what `noise_share` explains at this significance (one-sided
    binomial test) say the type is upheld after all, or the window is noisy: its upheld findings count again."""


@dataclass(frozen=True)
class Metrics:
    """Counts of a routing of decided findings. A finding sent as exploration counts 1 / its propensity (it
    stands for that many eligible findings nobody sent: `exploration.propensity`), so `upheld`, `flagged` and
    the like are estimates of the window's findings, not of its decisions, once a window holds one."""

    decisions: int
    upheld: float
    flagged: float
    upheld_flagged: float
    agreed: int = 0
    """Decisions the routing matched: sent for review and upheld, or not sent and rejected (not weighted)."""
    unconfirmed: int = 0
    """Undecided findings of the same window the model would send: counted as not upheld."""
    noise_upheld: float = 0
    """Upheld findings of a type the plant's decisions reject (`rarely_upheld`): taken for decision noise."""
    noise_upheld_flagged: float = 0

    @classmethod
    def of_routing(
        cls,
        flagged: Sequence[bool],
        upheld: Sequence[bool],
        unconfirmed: int = 0,
        noise: Sequence[bool] = (),
        weights: Sequence[float] = (),
    ) -> Metrics:
        """The counts of a routing of decided findings: per finding, whether it was sent for review
        (`flagged`), whether its supervisor upheld it (`upheld`), whether it is of a type the plant rejects
        (`noise`, none when empty) and how many findings it stands for (`weights`, 1 each when empty)."""
        pairs = list(zip(flagged, upheld, strict=True))
        noisy = list(noise) or [False] * len(pairs)
        weight = list(weights) or [1] * len(pairs)
        rows = list(zip(pairs, noisy, weight, strict=True))
        return cls(
            decisions=len(pairs),
            upheld=sum(w for (_, u), _, w in rows if u),
            flagged=sum(w for (f, _), _, w in rows if f),
            upheld_flagged=sum(w for (f, u), _, w in rows if f and u),
            agreed=sum(f == u for f, u in pairs),
            unconfirmed=unconfirmed,
            noise_upheld=sum(w for (_, u), n, w in rows if u and n),
            noise_upheld_flagged=sum(w for (f, u), n, w in rows if f and u and n),
        )

    @property
    def precision(self) -> float:
        """Upheld among the findings the model sends for review, the unconfirmed ones included (0 when it
        sends none)."""
        sent = self.flagged + self.unconfirmed
        return self.upheld_flagged / sent if sent else 0.0

    @property
    def recall(self) -> float:
        """Sent for review among the findings supervisors upheld (0 when none was upheld)."""
        return self.upheld_flagged / self.upheld if self.upheld else 0.0

    @property
    def counted_recall(self) -> float:
        """Recall of the upheld findings not taken for decision noise (`noise_upheld`): the recall gate's."""
        upheld = self.upheld - self.noise_upheld
        return (self.upheld_flagged - self.noise_upheld_flagged) / upheld if upheld else 0.0

    @property
    def agreement(self) -> float:
        return self.agreed / self.decisions if self.decisions else 0.0

    def to_json(self) -> dict[str, float | int]:
        names = ("precision", "recall", "counted_recall", "agreement")
        rounded = {name: round(getattr(self, name), 4) for name in names}
        return {**asdict(self), **rounded}


@dataclass(frozen=True)
class Verdict:
    promote: bool
    reasons: tuple[str, ...]


def split(rows: Sequence[Finding], gate: GateSettings) -> tuple[list[Finding], list[Finding]]:
    """(training, held out): rows are oldest first; the most recent ones are held out."""
    held = max(gate.min_holdout, math.ceil(len(rows) * gate.holdout_fraction))
    cut = max(0, len(rows) - held)
    return list(rows[:cut]), list(rows[cut:])


def confidence(model: ScorerModel, row: Finding) -> float:
    """The model's confidence in a finding (decided or not), from the features the finding carried."""
    return model.recorded_confidence(row.anomaly_type.value, row.evidence.get("features") or {})


def sends(model: ScorerModel, row: Finding, threshold: float) -> bool:
    """Whether the model would send the finding for review: confident enough and not below its plant's cut
    (on the finding's magnitude or the type's learned threshold: `engine.held_back`, as the validator, with
    the confidence rounded as it rounds it)."""
    features = row.evidence.get("features") or {}
    score = round(confidence(model, row), 4)
    return score >= threshold and held_back(model, row.anomaly_type.value, features, score) is None


def evaluate(
    model: ScorerModel,
    rows: Sequence[Finding],
    threshold: float = REVIEW_THRESHOLD,
    undecided: Sequence[Finding] = (),
    noise_types: frozenset[str] = frozenset(),
) -> Metrics:
    """The model's routing of the decided `rows`, and of the `undecided` findings of the same window;
    `noise_types`: the types whose upheld findings the recall gate does not count (`rarely_upheld`).

    A decided finding sent as exploration weighs the inverse of its propensity (Horvitz-Thompson: it stands for
    the eligible findings of its draw nobody sent), and an undecided one eligible but not drawn is not charged
    as unconfirmed when `rows` hold a drawn one of its type (they stand for it): what the model in force stopped
    sending counts by what its supervisors decided of the sample. Of a type with no drawn decision in the window
    nothing stands for them, and they are charged as any undecided finding is (a sample of none is no evidence)."""
    sampled = {row.anomaly_type for row in rows if propensity(row.evidence) < 1}
    charged = [row for row in undecided if not (eligible_not_drawn(row.evidence) and row.anomaly_type in sampled)]
    return Metrics.of_routing(
        [sends(model, row, threshold) for row in rows],
        [approved(row) for row in rows],
        unconfirmed=sum(sends(model, row, threshold) for row in charged),
        noise=[row.anomaly_type.value in noise_types for row in rows],
        weights=[_weight(row) for row in rows],
    )


def _weight(row: Finding) -> float:
    """How many findings a decided one stands for: 1, or 1 / its propensity when sent as exploration."""
    share = propensity(row.evidence)
    return 1 if share == 1 else 1 / share


def rarely_upheld(training: Sequence[Finding], held: Sequence[Finding], gate: GateSettings) -> frozenset[str]:
    """The types the plant's decisions reject as far as their noise allows: at least `noise_min_decisions`
    training decisions, and no more upheld ones than `noise_share` explains, in training and held out (one-sided
    binomial test at `noise_significance`; in training it was a share of at most `noise_share` until 2026-12-05,
    and 2 coin-upheld of 25, 8 %, kept a rejected type counted). The held-out decisions are only of what
    the model in force sent, so its own recall there is 1 and a candidate can only lose: without this, a
    candidate that stops sending a type the plant never upholds is charged for the one or two findings of it
    a supervisor upheld by mistake, and whether a refit passes turns on them. The test on the held-out window
    keeps a week decided by a coin (which upholds half of such a type) counting them."""
    noisy = set()
    for anomaly_type in {row.anomaly_type.value for row in held}:
        trained = [approved(row) for row in _of_type(training, anomaly_type)]
        if len(trained) < gate.noise_min_decisions or _beyond_noise(sum(trained), len(trained), gate):
            continue
        recent = [approved(row) for row in _of_type(held, anomaly_type)]
        beyond_noise = binomtest(sum(recent), len(recent), gate.noise_share, alternative="greater").pvalue
        if beyond_noise >= gate.noise_significance:
            noisy.add(anomaly_type)
    return frozenset(noisy)


def shadow_live(rows: Sequence[Finding], version: str) -> Metrics | None:
    """How the shadow candidate `version` would have routed the live findings supervisors decided while it
    was scored in shadow (the `shadow` score punch_validator recorded with each); None if none carries it.
    The decisions are of what the model in force sent, so `flagged` short of `decisions` is review work
    the candidate would have spared, and `recall` how many upheld findings it would have kept."""
    scored = [
        (row, row.evidence["shadow"])
        for row in rows
        if (row.evidence.get("shadow") or {}).get("model_version") == version
    ]
    if not scored:
        return None
    return Metrics.of_routing(
        [bool(score.get("would_review")) for _, score in scored], [approved(row) for row, _ in scored]
    )


def _fittable(examples: list[Example]) -> list[Example]:
    """Rule examples, and the learned families with enough decisions of both verdicts."""
    counts: dict[str, int] = {}
    verdicts: dict[str, set[bool]] = {}
    for example in examples:
        counts[example.family] = counts.get(example.family, 0) + 1
        verdicts.setdefault(example.family, set()).add(example.positive)
    enough = {f for f, n in counts.items() if f == RULE or (n >= MIN_FAMILY_EXAMPLES and len(verdicts[f]) == 2)}
    return [example for example in examples if example.family in enough]


UNDECIDED_WEIGHT = 1.0
"""An undecided finding's weight as a negative example (a supervisor's decision weighs DECISION_WEIGHT)."""


def fit_candidate(
    incumbent: ScorerModel,
    rows: Sequence[Finding],
    trained_on: dict,
    undecided: Sequence[Finding] = (),
    cuts: dict[str, MagnitudeCut] | None = None,
    gate: GateSettings | None = None,
) -> ScorerModel:
    """The candidate: what the decisions fit, the model in force for the rest; versioned by its content.

    The decisions are of what the model in force sent, nearly all upheld: fitted alone, a family learns
    to send everything. The training window's `undecided` findings (the ones it did not send) join as
    negatives of lower weight, so the candidate keeps the model in force's routing where nobody decided
    and moves it only where the decisions say so: a family or early/late type they uphold as far as decision
    noise allows is not refit (`_settled`), nor an early/late type they decided both ways too few times
    for a model of its own (`_type_models`), and a rule type's prior moves from the model in force's as far as
    its decisions outweigh it (`_rule_priors`). `cuts`: the plant's learned cuts (`cuts.learn_cuts`); None keeps
    the model in force's."""
    gate = gate or GateSettings()
    not_sent = [  # not those the pilot scope held, nor those recorded only as eligible for exploration
        (row, False) for row in undecided if row.route == "trend" and not kept_only_as_eligible(row.evidence)
    ]
    negatives = [replace(e, weight=UNDECIDED_WEIGHT) for e in examples_from_decisions(not_sent) if e.family != RULE]
    decided = examples_from_decisions([(row, approved(row)) for row in rows])
    settled = _settled(rows, gate)
    examples = _fittable([e for e in decided + negatives if e.family not in settled])
    cuts = incumbent.cuts if cuts is None else cuts
    own, thin = _type_models(decided, examples, settled, gate)
    fitted = fit_scorer(examples, trained_on, own_models=own)
    priors = {**incumbent.priors, **fitted.priors, **_rule_priors(incumbent, examples)}
    stays = settled | thin
    kept = {n: m for n, m in incumbent.families.items() if n in stays or _kept(n, fitted, decided)}
    families = {**kept, **fitted.families}
    shipped: dict[str, float] = incumbent.trained_on.get("review_cuts", {})
    kept_cuts = {anomaly: cut for anomaly, cut in shipped.items() if type_family(OFFSET, anomaly) in kept}
    record = {**trained_on, "review_cuts": kept_cuts} if kept_cuts else trained_on
    return _versioned(priors, families, record, cuts)


MIN_OWN_MODEL_DECISIONS = 40
"""Decisions of an early/late type its supervisors decided both ways before the type gets a model of its own
(eight coefficients). From fewer the fit learns the sample's accidents: on development seed 99's
pays-to-the-schedule plant, 13 early clock-ins (3 upheld, from 45 min) put an upheld one of 73 min at 0.25
through its spread and z; on its default plant (helper 168) 9 early clock-ins, 4 rejected (2 of them by the
coin), put upheld ones of 27-45 min at 0.01-0.70, and the model, promoted in week 1, kept 3 and 4 upheld early
clock-ins from review in weeks 2 and 3 that no held-out decision had shown. Until then the model in force's
model of the type stays, and the type's cut on its magnitude (`cuts.fit_cut`, one number from 10 decisions
below it) holds back what its supervisors reject."""

PRIOR_DECISIONS = MIN_FAMILY_EXAMPLES
"""How many decisions the model in force's prior of a rule type weighs when the plant's decisions update it (as
many as a learned family needs before it is refit). The prior was the decisions' own Laplace estimate, a
Beta(1, 1) centred on 0.5: on development seed 108's pays plant OUT_BEFORE_IN, which that plant upholds, was
decided four times in two weeks, two of them rejected by the coin, and its prior fell from the packaged 0.986 to
0.5, below the review threshold; from week 3 six or seven upheld findings a week went unreviewed, most of what
the week's model did not send, and nothing decided of them again to lift it."""


def _rule_priors(incumbent: ScorerModel, examples: Sequence[Example]) -> dict[str, float]:
    """The rule types' priors (measured precision) the decisions give, starting from the model in force's worth
    `PRIOR_DECISIONS` decisions (a Beta prior on the type's precision): a handful of decisions, or a coin flip
    among them, moves it a little; a type the plant rejects decision after decision goes below the review
    threshold within about ten of them. A type the model in force has no prior of keeps `fit_scorer`'s."""
    counts: dict[str, list[float]] = {}
    for example in examples:
        if example.family == RULE and example.anomaly_type in incumbent.priors:
            upheld_total = counts.setdefault(example.anomaly_type, [0.0, 0.0])
            upheld_total[0] += example.weight * example.positive
            upheld_total[1] += example.weight
    weight = PRIOR_DECISIONS * DECISION_WEIGHT
    return {
        anomaly: round((upheld + weight * incumbent.priors[anomaly]) / (total + weight), 4)
        for anomaly, (upheld, total) in counts.items()
    }


def _beyond_noise(count: int, total: int, gate: GateSettings) -> bool:
    """Whether `count` of `total` decisions are more than decision noise (`gate.noise_share`) explains: one-sided
    binomial test at `gate.noise_significance`."""
    p_value = binomtest(count, total, gate.noise_share, alternative="greater").pvalue if count else 1.0
    return bool(p_value < gate.noise_significance)


def _settled(rows: Sequence[Finding], gate: GateSettings) -> set[str]:
    """The learned families, and the early/late types (`scorer.type_family` keys), whose decisions reject no more
    than decision noise explains (`_beyond_noise`): the plant upholds what the model in force sends of them, so
    their decisions hold nothing to move it on but the coin, and the model in force's stays. Refit on them, a
    family learns from that coin: on development seed 104's pays plant the buddy punches were upheld 42 times
    of 43, the one coin-rejected carried a signal few others had, and the refit family scored upheld buddy
    punches with that signal 0.02 (two in week 4's held-out decisions), so the whole refits were refused for them.

    Counted per piece of evidence (`_evidence_verdicts`), not per finding: the buddy check makes one finding per
    punch of the day, each with the day's features, and supervisors decide each, but the two decisions are one
    observation. Counted per finding, two rejected days among ten (4 of 20 decisions, p 0.016) looked beyond
    noise (2 of 10: p 0.086), and the buddy family was refit on them (the bench's realistic plant, and on
    development seed 102 five refits that spared no rejected buddy punch and kept upheld ones from review).
    A person's different days are different observations, even with the same signals: a person rejected on
    six days among thirty upheld ones is 6 of 36 (p 0.008), the systematic false alarm a refit is for, not
    one piece of evidence (1 of 31) that reads as noise."""
    verdicts: dict[str, list[bool]] = {}
    for (_, anomaly, features), rejected in _evidence_verdicts(rows):
        family = family_of(features)
        if family == RULE:
            continue
        verdicts.setdefault(family, []).append(rejected)
        if family == OFFSET:
            verdicts.setdefault(type_family(OFFSET, anomaly), []).append(rejected)
    return {name for name, seen in verdicts.items() if not _beyond_noise(seen.count(True), len(seen), gate)}


def _evidence_verdicts(rows: Sequence[Finding]) -> list[tuple[tuple[str, str, dict[str, Any]], bool]]:
    """((employee, type, features), rejected) per distinct piece of evidence the decided `rows` hold: the findings
    of one person and type on one work day (`WORK_DAY_KEY`) with the same features are the same evidence (one
    day's buddy punch on each of its punches); it counts rejected when more of its decisions reject than uphold
    it (a split is the coin's). A row without a work day (decided before rows carried one) is keyed by its
    features alone."""
    grouped: dict[str, tuple[tuple[str, str, dict[str, Any]], list[bool]]] = {}
    for row in rows:
        features = row.evidence.get("features") or {}
        key = (row.employee_id or "", row.anomaly_type.value, dict(features))
        piece = json.dumps([key, row.evidence.get(WORK_DAY_KEY)], sort_keys=True, default=str)
        grouped.setdefault(piece, (key, []))[1].append(approved(row))
    return [(key, seen.count(False) > seen.count(True)) for key, seen in grouped.values()]


def _type_models(
    decided: Sequence[Example], fittable: Sequence[Example], settled: set[str], gate: GateSettings
) -> tuple[set[str], set[str]]:
    """(own, thin): of the early/late types of a refit offset family that the plant's supervisors both upheld
    and rejected (and not `settled`), those that get a model of their own from the decisions, without the
    shipped review cut (the decisions calibrate it; refit with the shipped cut, the packaged early clock-ins
    lost recall 1.00 -> 0.88 on the unit tests' plant), and the `scorer.type_family` keys of those decided
    fewer than `MIN_OWN_MODEL_DECISIONS` times: the model in force's model of them stays (behind the type's
    cut, when its decisions draw one). A type decided one way only, or upheld no more than noise
    explains in at least `gate.noise_min_decisions` decisions, cannot place a line of its own: the refit
    family scores it."""
    if not any(e.family == OFFSET for e in fittable):
        return set(), set()
    verdicts: dict[str, list[bool]] = {}
    for example in decided:
        if example.family == OFFSET:
            verdicts.setdefault(example.anomaly_type, []).append(example.positive)
    own, thin = set(), set()
    for anomaly, seen in verdicts.items():
        upheld = seen.count(True)
        rejected_only = len(seen) >= gate.noise_min_decisions and not _beyond_noise(upheld, len(seen), gate)
        if type_family(OFFSET, anomaly) in settled or not upheld or rejected_only:
            continue
        if len(seen) < MIN_OWN_MODEL_DECISIONS:
            thin.add(type_family(OFFSET, anomaly))
        else:
            own.add(anomaly)
    return own, thin


def _kept(name: str, fitted: ScorerModel, decided: Sequence[Example]) -> bool:
    """Whether the model in force's family or per-type model `name` stays in the candidate: a family the
    decisions did not refit stays; of a refit family, a type's own model (`scorer.type_family`, fitted with the
    review cut that keeps false findings on normal days within budget) stays when nobody decided that type,
    and gives way to the candidate's when the plant's supervisors did (their decisions are the better
    evidence, and the shipped model would outrank them): its own refit model when they decided it both ways
    often enough (`_type_models`), else the refit family."""
    if name in fitted.families:
        return False
    family, _, anomaly = name.partition(":")
    undecided = bool(anomaly) and anomaly not in {e.anomaly_type for e in decided if e.family == family}
    return family not in fitted.families or undecided


@dataclass(frozen=True)
class TypeWindow:
    """One window's findings of the evaluation: the decided `rows` and the `undecided` ones of the same time."""

    rows: Sequence[Finding]
    undecided: Sequence[Finding] = ()


def _of_type(findings: Sequence[Finding], anomaly_type: str) -> list[Finding]:
    return [f for f in findings if f.anomaly_type.value == anomaly_type]


def _type_counts(model: ScorerModel, window: TypeWindow, anomaly_type: str, threshold: float) -> Metrics:
    return evaluate(model, _of_type(window.rows, anomaly_type), threshold, _of_type(window.undecided, anomaly_type))


def _not_upheld_sent(metrics: Metrics) -> float:
    """Reviews a routing costs that nobody upheld: rejected findings sent, and undecided ones it would send."""
    return metrics.flagged - metrics.upheld_flagged + metrics.unconfirmed


def _no_worse(mine: Metrics, theirs: Metrics, gate: GateSettings, noise: bool = False) -> bool:
    """The candidate's routing of one type costs no review more than the model in force's and keeps all but
    the recall tolerance of its upheld findings (none below 1 / tolerance of them); of a type whose upheld
    findings the recall gate takes for decision noise (`noise`, `rarely_upheld`), the reviews only."""
    allowed = math.floor(gate.tolerance * theirs.upheld + EPSILON)
    kept = noise or mine.upheld_flagged >= theirs.upheld_flagged - allowed
    return _not_upheld_sent(mine) <= _not_upheld_sent(theirs) and kept


def _better(mine: Metrics, theirs: Metrics) -> bool:
    """The candidate's routing of one type spares a review or sends one more upheld finding."""
    return _not_upheld_sent(mine) < _not_upheld_sent(theirs) or mine.upheld_flagged > theirs.upheld_flagged


def adoptable_types(
    candidate: ScorerModel,
    incumbent: ScorerModel,
    training: TypeWindow,
    held: TypeWindow,
    gate: GateSettings,
    noise_types: frozenset[str] = frozenset(),
) -> dict[str, dict[str, Any]]:
    """Per anomaly type decided in the held-out window, whether the candidate's routing of it may be taken
    alone (`adopted`) and the counts that say so: on each window (training and held out) it spares at least
    one review or sends at least one more upheld finding, and on neither does it cost a review more or keep
    more upheld findings from review than the tolerance allows. A type the newest decisions do not show
    better stays with the model in force (no evidence is not evidence); nor one better on the newest only
    (a handful of one type's decisions, which a week decided by a coin can tip). Of the `noise_types`
    (`rarely_upheld`) an upheld finding not sent is not counted, as the recall gate does not count it: on
    development seed 101's pays plant one coin-upheld job-code mismatch of 46 kept the type, rejected every
    time else, from being taken alone, and 13-20 a week were still sent."""
    notes: dict[str, dict[str, object]] = {}
    for anomaly_type in sorted({row.anomaly_type.value for row in held.rows}):
        counts = {}
        for name, window in (("training", training), ("held_out", held)):
            mine = _type_counts(candidate, window, anomaly_type, gate.review_threshold)
            theirs = _type_counts(incumbent, window, anomaly_type, gate.review_threshold)
            counts[name] = (mine, theirs)
        noisy = anomaly_type in noise_types
        adopted = all(_better(m, t) and _no_worse(m, t, gate, noisy) for m, t in counts.values())
        notes[anomaly_type] = {
            "adopted": adopted,
            **{
                name: {
                    "upheld_sent": [m.upheld_flagged, t.upheld_flagged],
                    "not_upheld_sent": [_not_upheld_sent(m), _not_upheld_sent(t)],
                }
                for name, (m, t) in counts.items()
            },
        }
    return notes


def _family_of_type(rows: Sequence[Finding], anomaly_type: str) -> str:
    return next(family_of(row.evidence.get("features") or {}) for row in rows if row.anomaly_type.value == anomaly_type)


def by_type(
    incumbent: ScorerModel,
    candidate: ScorerModel,
    types: Sequence[str],
    rows: Sequence[Finding],
    trained_on: dict,
    recorded_as: str = "adopted_types",
) -> ScorerModel:
    """The model in force with the candidate's routing of `types` only (each found among `rows`): the type's
    prior, the model that scores it (kept under the type's own key, `scorer.type_family`, so the other types
    of its family keep the model in force's) and its cut. Tried when the whole candidate is refused, so a
    type the plant's decisions settle is not held back by a refit that costs recall on another. `recorded_as`:
    the key of `trained_on` that names the types (`restored_types` for `restored`)."""
    priors, families, cuts = dict(incumbent.priors), dict(incumbent.families), dict(incumbent.cuts)
    for anomaly_type in types:
        family = _family_of_type(rows, anomaly_type)
        if anomaly_type in candidate.priors:
            priors[anomaly_type] = candidate.priors[anomaly_type]
        model = candidate.families.get(type_family(family, anomaly_type)) or candidate.families.get(family)
        if family != RULE and model is not None:
            families[type_family(family, anomaly_type)] = model
        cuts.pop(anomaly_type, None)
        if anomaly_type in candidate.cuts:
            cuts[anomaly_type] = candidate.cuts[anomaly_type]
    shipped: dict[str, float] = incumbent.trained_on.get("review_cuts", {})
    kept_cuts = {anomaly: cut for anomaly, cut in shipped.items() if anomaly not in types}
    record = {**trained_on, recorded_as: sorted(types), **({"review_cuts": kept_cuts} if kept_cuts else {})}
    return _versioned(priors, families, record, cuts)


def with_cuts(incumbent: ScorerModel, cuts: dict[str, MagnitudeCut], trained_on: dict) -> ScorerModel:
    """The model in force's priors and families with other cuts: the candidate tried when the refitted one
    is refused, so a plant's cuts are not held back by a family refit the gate does not accept."""
    return _versioned(incumbent.priors, incumbent.families, trained_on, cuts)


def _versioned(
    priors: dict[str, float], families: dict[str, Logistic], trained_on: dict, cuts: dict[str, MagnitudeCut]
) -> ScorerModel:
    """A model versioned by its content (the same content, the same version)."""
    return ScorerModel(content_version(priors, families, cuts), priors, families, trained_on, dict(cuts))


def _dropped(candidate: Metrics, incumbent: Metrics, gate: GateSettings) -> str:
    """The recall gate's counts: on held-out decisions of what the model in force sent, its recall is 1 (or
    nearly) and the tolerance allows so many upheld findings dropped: none below 1 / tolerance of them."""
    counted = candidate.upheld - candidate.noise_upheld
    allowed = math.floor(gate.tolerance * counted + EPSILON)
    fewer = (incumbent.upheld_flagged - incumbent.noise_upheld_flagged) - (
        candidate.upheld_flagged - candidate.noise_upheld_flagged
    )
    noise = (
        f"; {_count(candidate.noise_upheld)} upheld of types the plant rejects not counted"
        if candidate.noise_upheld
        else ""
    )
    return f"{_count(fewer)} fewer of the {_count(counted)} upheld findings sent; the tolerance allows {allowed}{noise}"


def _count(value: float) -> str:
    """A count for a reason: whole when it is, else to a tenth (an estimate weighed by exploration)."""
    return f"{round(value, 1):g}"


def recall_kept(candidate: Metrics, incumbent: Metrics, kept: float = 1.0) -> float:
    """The share of the first model's recall of upheld findings the candidate keeps: what the models in force
    since the first one kept (`kept`, from the model in force's card; 1 for the packaged model) times the
    candidate's counted recall against the model in force's on the same held-out decisions."""
    ratio = candidate.counted_recall / incumbent.counted_recall if incumbent.counted_recall else 1.0
    return kept * min(ratio, 1.0)


def types_dropped(
    candidate: ScorerModel, incumbent: ScorerModel, rows: Sequence[Finding], gate: GateSettings
) -> dict[str, tuple[int, int]]:
    """Per finding type, (upheld, decided) of the decided `rows` the model in force sends and the candidate does
    not, for the types where the upheld ones among them are more than decision noise explains (`_beyond_noise`):
    the candidate stops sending findings of the type its supervisors uphold. The recall gate's tolerance is of
    all upheld findings together, so a refit could drop a few of one type (e.g. buddy punches) unseen while the
    others make up for them; a cut that holds back rejected findings and one a coin upheld is not refused here."""
    dropped: dict[str, list[bool]] = {}
    for row in rows:
        if sends(incumbent, row, gate.review_threshold) and not sends(candidate, row, gate.review_threshold):
            dropped.setdefault(row.anomaly_type.value, []).append(approved(row))
    return {
        anomaly: (sum(verdicts), len(verdicts))
        for anomaly, verdicts in sorted(dropped.items())
        if _beyond_noise(sum(verdicts), len(verdicts), gate)
    }


def undecided_dropped(
    candidate: ScorerModel,
    incumbent: ScorerModel,
    undecided: Sequence[Finding],
    decided: Sequence[Finding],
    gate: GateSettings,
) -> dict[str, tuple[int, float]]:
    """Per finding type, (count, upheld share) of the `undecided` findings the model in force sends and the
    candidate does not, for the types whose like findings the plant's `decided` ones uphold at least as often as
    not. `types_dropped` sees only what was decided, so a candidate could stop sending findings nobody decided (the
    ones the pilot scope held, or ones an older model in force routed) unseen; their own verdict is unknown.

    The share is the Laplace estimate (u + 1) / (n + 2), the mean of the Beta(1 + u, 1 + r) posterior, of the
    decided findings of the type the candidate stops sending too (its routing says they are alike: a cut below
    which the plant rejected is not refused for the undecided ones below it), or, when it stops sending none,
    of all the type's decisions (1/2 for a type nobody decided: kept sent).

    Refused, not kept sent: keeping them sent would be a routing constraint in the validator (the model in force's
    routing of each type beside the candidate's); refusing is one more reason on the same gate, the fallbacks
    (`by_type`, `with_cuts`) are tried on it too, and a type supervisors reject more often than not is never held."""
    threshold = gate.review_threshold
    dropped: dict[str, int] = {}
    for row in undecided:
        if sends(incumbent, row, threshold) and not sends(candidate, row, threshold):
            dropped[row.anomaly_type.value] = dropped.get(row.anomaly_type.value, 0) + 1
    out = {}
    for anomaly, count in sorted(dropped.items()):
        of_type = _of_type(decided, anomaly)
        alike = [row for row in of_type if sends(incumbent, row, threshold) and not sends(candidate, row, threshold)]
        verdicts = [approved(row) for row in alike or of_type]
        share = (sum(verdicts) + 1) / (len(verdicts) + 2)
        if share >= 0.5:
            out[anomaly] = (count, share)
    return out


@dataclass(frozen=True)
class Explored:
    """A type's exploration findings a model does not send: upheld, decided, and the upheld findings they stand
    for (each weighed by the inverse of its propensity)."""

    upheld: int
    decided: int
    estimate: float


def explored_dropped(model: ScorerModel, rows: Sequence[Finding], gate: GateSettings) -> dict[str, Explored]:
    """Per finding type, what the decided findings sent as exploration (`exploration.propensity` below 1: drawn
    from what the model in force did not send and the packaged scorer would) say of the ones `model` does not
    send, for the types where the upheld ones among them are more than decision noise explains (`_beyond_noise`):
    `model` would keep from review findings its supervisors uphold. The estimate weighs each by the inverse of its
    propensity: the upheld findings of the kind the model in force stopped sending that the sample stands for."""
    seen: dict[str, list[Finding]] = {}
    for row in rows:
        if propensity(row.evidence) < 1 and not sends(model, row, gate.review_threshold):
            seen.setdefault(row.anomaly_type.value, []).append(row)
    out = {}
    for anomaly, found in sorted(seen.items()):
        upheld = [row for row in found if approved(row)]
        if _beyond_noise(len(upheld), len(found), gate):
            out[anomaly] = Explored(len(upheld), len(found), sum(_weight(row) for row in upheld))
    return out


def restored(
    model: ScorerModel, reference: ScorerModel, types: Sequence[str], rows: Sequence[Finding], trained_on: dict
) -> ScorerModel:
    """`model` with the routing of `types` taken from `reference` (the packaged scorer the exploration samples
    against: it sends them), for the types whose exploration sample `model` would keep from review though its
    supervisors uphold it (`explored_dropped`). `by_type`, recorded as `restored_types`."""
    return by_type(model, reference, types, rows, trained_on, recorded_as="restored_types")


def _told_apart(mine: float, theirs: float) -> tuple[str, str]:
    """The two figures with 3 decimals, or as many more (up to 6) as it takes to show they differ."""
    for places in range(3, 7):
        shown = f"{mine:.{places}f}", f"{theirs:.{places}f}"
        if shown[0] != shown[1]:
            return shown
    return shown


def _recall_lower(candidate: Metrics, incumbent: Metrics, gate: GateSettings) -> bool:
    return candidate.counted_recall < incumbent.counted_recall - gate.tolerance - EPSILON


def decide(
    candidate: Metrics,
    incumbent: Metrics,
    gate: GateSettings,
    before: Metrics | None = None,
    on_training: tuple[Metrics, Metrics] | None = None,
    kept: float = 1.0,
    dropped: dict[str, dict[str, tuple[int, int]]] | None = None,
    not_decided: dict[str, tuple[int, float]] | None = None,
    explored: dict[str, Explored] | None = None,
) -> Verdict:
    """`before`: the model in force on the training decisions (the agreement check); None: not checked.
    `on_training`: (candidate, model in force) on the training decisions, whose upheld findings the candidate
    must keep within the tolerance too (a held-out window of 30 decisions, as the first retrain has, can hold
    no finding of the kind a refit stops sending). `kept`: the recall the models in force since the first one
    kept (`recall_kept`): the tolerance is spent once along the chain of models, not once a week (a candidate
    that keeps every upheld finding the model in force sends is not held to it). `dropped`: per window
    (`held_out`, `training`), the types whose upheld findings the candidate stops sending (`types_dropped`).
    `not_decided`: the types of the newest window's undecided findings it stops sending that the plant's
    decisions uphold at least as often as not (`undecided_dropped`). `explored`: the types whose exploration
    sample it would keep from review though its supervisors uphold it beyond noise (`explored_dropped`)."""
    reasons = []
    if before is not None and incumbent.agreement < before.agreement - gate.max_agreement_drop - EPSILON:
        reasons.append(
            f"the recent decisions agree with the model in force {incumbent.agreement:.3f}, against "
            f"{before.agreement:.3f} before: more than {gate.max_agreement_drop} less (noisy or a sudden change)"
        )
    if candidate.decisions < gate.min_holdout:
        reasons.append(f"{candidate.decisions} held-out decisions, fewer than {gate.min_holdout}")
    if candidate.precision < incumbent.precision - EPSILON:
        mine, theirs = _told_apart(candidate.precision, incumbent.precision)
        reasons.append(f"precision {mine} below the model in force's {theirs}")
    if _recall_lower(candidate, incumbent, gate):
        reasons.append(
            f"recall of upheld findings {candidate.counted_recall:.3f} below the model in force's "
            f"{incumbent.counted_recall:.3f} by more than {gate.tolerance} ({_dropped(candidate, incumbent, gate)})"
        )
    elif recall_kept(candidate, incumbent, kept) < min(kept, 1 - gate.tolerance) - EPSILON:
        reasons.append(
            f"recall of upheld findings {candidate.counted_recall:.3f} against the model in force's "
            f"{incumbent.counted_recall:.3f}, after the {1 - kept:.3f} the models in force since the first one gave "
            f"up: {1 - recall_kept(candidate, incumbent, kept):.3f} lost in all, more than {gate.tolerance} "
            f"({_dropped(candidate, incumbent, gate)})"
        )
    if on_training is not None and _recall_lower(*on_training, gate):
        trained, trained_in_force = on_training
        reasons.append(
            f"on the training decisions, recall of upheld findings {trained.counted_recall:.3f} below the model in "
            f"force's {trained_in_force.counted_recall:.3f} by more than {gate.tolerance} "
            f"({_dropped(trained, trained_in_force, gate)})"
        )
    for window, types in (dropped or {}).items():
        reasons.extend(
            f"on the {window.replace('_', '-')} decisions, {anomaly}: {upheld} upheld of the {decided} it stops "
            f"sending, more than decision noise explains"
            for anomaly, (upheld, decided) in types.items()
        )
    reasons.extend(
        f"of the newest findings nobody decided, {anomaly}: it stops sending {count} the model in force sends, "
        f"of a type the plant's decisions uphold {share:.2f} of the time (Laplace estimate)"
        for anomaly, (count, share) in (not_decided or {}).items()
    )
    reasons.extend(
        f"of the findings sent as exploration, {anomaly}: it does not send {e.upheld} upheld of the {e.decided} "
        f"decided, more than decision noise explains; about {_count(e.estimate)} upheld findings by inverse "
        "propensity"
        for anomaly, e in (explored or {}).items()
    )
    return Verdict(not reasons, tuple(reasons))
