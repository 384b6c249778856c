"""Retrieval of the procedure that answers a question: Okapi BM25 over the procedures' steps (`bm25s`,
Snowball stemming), fused with a small sentence encoder's similarity when its weights are installed.

Each procedure is one BM25 document (its title and steps joined: a plant names its SOPs for the machine
and the task, which the steps may never repeat; `RetrievalSettings.titles`) and a set of step passages
for the encoder. The benchmark's protocol indexes steps only (`PROTOCOL`). A question's score
for a procedure is z(BM25) + dense_weight · (z(best step cosine) + z(centroid cosine)) / 2, each z taken
over the whole index for that question, so the three scales meet without per-index tuning.
Every setting is in `RetrievalSettings`; the shipped defaults are the ones measured in docs/copilot.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from plexlabor.copilot.intents import Intents
from plexlabor.copilot.procedures import Procedure
from plexlabor.copilot.vocabulary import SafetyWords, alike

if TYPE_CHECKING:
    from plexlabor.copilot.encoder import SentenceEncoder

TOKEN_SPLIT = re.compile(r"(?u)\b\w+\b")
QUESTION_WORDS = frozenset(
    [
        "how",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "when",
        "where",
        "do",
        "does",
        "did",
        "doing",
        "can",
        "could",
        "should",
        "would",
        "must",
        "may",
        "might",
        "shall",
        "will",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "have",
        "has",
        "had",
        "get",
        "got",
        "need",
        "needs",
        "want",
        "use",
        "used",
        "using",
        "i",
        "me",
        "my",
        "we",
        "us",
        "our",
        "you",
        "your",
        "one",
        "someone",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "please",
        "tell",
        "show",
        "give",
        "explain",
        "about",
        "right",
        "way",
        "steps",
        "step",
        "procedure",
    ]
)
"""Words that frame a question rather than name its subject: left out of `coverage` (BM25 ranks with
its own short stop list, so a word here still counts in the ranking)."""


@dataclass(frozen=True)
class RetrievalSettings:
    k1: float = 1.2
    b: float = 0.75
    stem: bool = True
    """Snowball (Porter 2) English stems, so "replacing" meets "replace"."""
    stopwords: bool = True
    """English stop words left out of documents and questions."""
    dense_weight: float = 1.0
    """Weight of the encoder's similarity against BM25 (0: lexical only)."""
    titles: bool = True
    """The title and the tools it names join the steps in the procedure's BM25 document, and a title that
    names a safety topic makes it that topic's procedure (`vocabulary`); False: steps only, as the
    retrieval benchmark's protocol requires (its questions are the titles)."""
    min_coverage: float = 0.75
    """Share of the question's words (stems, stop words left out) that the top procedure must hold in its
    title or steps, or the copilot says it has no procedure for it: a question about a machine no procedure
    names ("the forklift's brake pads") is refused even when a procedure about other brakes ranks first."""


LEXICAL_ONLY = RetrievalSettings(stem=False, stopwords=False, dense_weight=0.0, titles=False)
"""Plain Okapi BM25 (k1 1.2, b 0.75, no stemming, no stop words, steps only): the yardstick printed beside."""
PROTOCOL = RetrievalSettings(titles=False)
"""The shipped settings as the retrieval benchmark's protocol allows them: steps only (its questions are
the titles). `evaluation.evaluate` refuses an index that holds titles."""


@dataclass(frozen=True)
class Hit:
    procedure: Procedure
    score: float
    lexical: float
    """Its BM25 score (0: no word of the question in its steps)."""
    similarity: float | None
    """Cosine of the question and the procedure's closest step (None without the encoder)."""
    best_step: int
    """Index in `procedure.steps` of the step closest to the question."""
    coverage: float
    """Share of the question's words in the procedure's title, tools or steps (`RetrievalSettings.min_coverage`)."""
    safety: str | None = None
    """The safety topic the question names and this procedure's title names (`vocabulary`): it ranks
    first, whatever the other procedures score, and answers whatever its coverage."""
    off_topic: bool = False
    """The procedure is a safety topic's that the question does not ask about: it ranks last and does not
    answer (the lockout's steps say "start the machine", which does not make it the start-up)."""


@dataclass(frozen=True)
class ProcedureWords:
    """A procedure's words as `ProcedureIndex.alike_words` reads them: its title's, each step's, each tool's."""

    title: frozenset[str]
    steps: tuple[frozenset[str], ...]
    tools: tuple[frozenset[str], ...]


def _z(scores: np.ndarray) -> np.ndarray:
    spread = float(scores.std())
    return (scores - scores.mean()) / spread if spread > 0 else np.zeros_like(scores)


class ProcedureIndex:
    """The procedures, their BM25 index and (with an encoder) their step vectors."""

    def __init__(
        self,
        procedures: Sequence[Procedure],
        settings: RetrievalSettings = RetrievalSettings(),
        encoder: SentenceEncoder | None = None,
        step_vectors: np.ndarray | None = None,
    ) -> None:
        """`step_vectors`: the steps already encoded by `encoder` (a stored index), one row per step."""
        import bm25s

        self.procedures = list(procedures)
        self.settings = settings
        self.encoder = encoder if settings.dense_weight > 0 else None
        self._bm25 = bm25s.BM25(k1=settings.k1, b=settings.b, method="lucene")
        documents = [(_heading(p) + " " if settings.titles else "") + _document(p) for p in self.procedures]
        self._bm25.index(self._tokens(documents), show_progress=False)
        self._words = [set(self._tokens([_heading(p) + " " + _document(p)])[0]) for p in self.procedures]
        self._safety = SafetyWords(_stemmer().stemWord if settings.stem else str)
        self._topics = [self._safety.named(p.title) if settings.titles else frozenset() for p in self.procedures]
        titles = [p.title for p, topics in zip(self.procedures, self._topics, strict=True) if not topics]
        self.intents = Intents(_stemmer().stemWord if settings.stem else str, titles if settings.titles else ())
        self._tasks = [self.intents.titled(p.title) if settings.titles else frozenset() for p in self.procedures]
        self._equipment = [
            frozenset(key for text in (_heading(p), *(s.text for s in p.steps)) for key in self.intents.equipment(text))
            for p in self.procedures
        ]
        self._positions = {id(p): i for i, p in enumerate(self.procedures)}
        self._alike_words: list[ProcedureWords] = []
        self._last: tuple[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] | None = None
        self._starts = np.cumsum([0] + [len(p.steps) for p in self.procedures])[:-1]
        self._steps: np.ndarray | None = None
        self._centroids: np.ndarray | None = None
        if self.encoder is not None:
            texts = [step.text for p in self.procedures for step in p.steps]
            if step_vectors is not None and step_vectors.shape != (len(texts), self.encoder.dimension):
                raise ValueError(f"step vectors of shape {step_vectors.shape} for {len(texts)} steps")
            self._steps = self.encoder.encode(texts) if step_vectors is None else step_vectors.astype(np.float32)
            sums = np.add.reduceat(self._steps, self._starts, axis=0)
            self._centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)

    @property
    def step_vectors(self) -> np.ndarray | None:
        """Every step's vector, in procedure then step order (None without the encoder)."""
        return self._steps

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        stemmer = _stemmer() if self.settings.stem else None
        return bm25s.tokenize(
            texts,
            stopwords="en" if self.settings.stopwords else None,
            stemmer=stemmer,
            return_ids=False,
            show_progress=False,
        )

    def subject(self, question: str) -> set[str]:
        """The question's words (stems) that name its subject: question words and stop words left out."""
        subject = " ".join(w for w in TOKEN_SPLIT.findall(question) if w.lower() not in QUESTION_WORDS)
        return set(self._tokens([subject])[0])

    def _alike(self, texts: list[str]) -> list[frozenset[str]]:
        subjects = [
            " ".join(w for w in TOKEN_SPLIT.findall(alike(t)) if w.lower() not in QUESTION_WORDS) for t in texts
        ]
        return [frozenset(tokens) for tokens in self._tokens(subjects)]

    def alike_words(self, text: str) -> frozenset[str]:
        """The stems of `text`'s subject (`subject`), the words `vocabulary.ALIKE` holds alike read as one ("verify
        the torque wrench calibration": check, torqu, tool)."""
        return self._alike([text])[0]

    def procedure_words(self, procedure: Procedure) -> ProcedureWords:
        """`alike_words` of `procedure`'s title, steps and tools (every procedure's read at the first call)."""
        if not self._alike_words:
            texts = [
                text for p in self.procedures for text in (p.title, *(step.text for step in p.steps), *(p.tools or ()))
            ]
            read = iter(self._alike(texts))
            for p in self.procedures:
                title = next(read)
                steps = tuple(next(read) for _ in p.steps)
                self._alike_words.append(ProcedureWords(title, steps, tuple(next(read) for _ in p.tools or ())))
        return self._alike_words[self.position(procedure)]

    def coverage(self, question: str, position: int, covered: frozenset[str] = frozenset()) -> float:
        """Share of the question's words found in the procedure at `position` (title or steps), or in
        `covered` (words the procedure need not hold; nothing left: 1)."""
        words = self.subject(question)
        if not words:
            return 0.0
        return len(words & (covered | self._words[position])) / len(words)

    def position(self, procedure: Procedure) -> int:
        """Where `procedure` (one of this index's) is in `procedures`."""
        return self._positions[id(procedure)]

    def tasks(self, procedure: Procedure) -> frozenset[str]:
        """The tasks (`intents.TASKS` and the titles' own) `procedure` is for, by its title (none in an index
        without titles)."""
        return self._tasks[self.position(procedure)]

    def equipment(self, procedure: Procedure) -> frozenset[tuple[str, ...]]:
        """The machines and equipment `procedure` names in its title, tools or steps (`intents.EQUIPMENT`)."""
        return self._equipment[self.position(procedure)]

    def unnamed(self, question: str, procedure: Procedure) -> dict[tuple[str, ...], str]:
        """The machines and equipment the question names that `procedure` does not: it is not about them."""
        named = self.equipment(procedure)
        return {key: name for key, name in self.intents.equipment(question).items() if key not in named}

    def lexical_scores(self, question: str) -> np.ndarray:
        terms = self._tokens([question])[0]
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float64) if terms else np.zeros(len(self.procedures))

    def scores(self, question: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Every procedure's fused score and BM25 score for the question, and every step's cosine with
        it (None without the encoder). The last question's are kept: an answer searches each scope, and
        for a task each scope again, with the same question (the encoder's pass is most of a search)."""
        if self._last is None or self._last[0] != question:
            self._last = (question, self._scores(question))
        return self._last[1]

    def _scores(self, question: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        lexical = self.lexical_scores(question)
        if self.encoder is None or self._steps is None or self._centroids is None:
            return _z(lexical), lexical, None
        query = self.encoder.encode([question])[0]
        step_similarity = self._steps @ query
        similarity = np.maximum.reduceat(step_similarity, self._starts)
        dense = (_z(similarity) + _z(self._centroids @ query)) / 2
        return _z(lexical) + self.settings.dense_weight * dense, lexical, step_similarity

    def search(
        self,
        question: str,
        k: int = 10,
        within: Callable[[Procedure], bool] | None = None,
        together: bool = True,
    ) -> list[Hit]:
        """The k best procedures for the question, best first (`within`: only those it accepts; the
        scores are still scaled over the whole index, so a scope changes which procedures compete, not
        how they are scored; `together`: a safety topic asked by its concepts together counts)."""
        score, lexical, step_similarity = self.scores(question)
        similarity = None if step_similarity is None else np.maximum.reduceat(step_similarity, self._starts)
        asked = self._safety.asked(question, together)
        topic = [min(asked & named, default=None) for named in self._topics]
        off_topic = [bool(named) and not asked & named for named in self._topics]
        # stable: the asked safety topic's procedure first, other safety topics' last
        order = sorted(np.argsort(-score, kind="stable"), key=lambda i: (topic[i] is None, off_topic[i]))
        top = [i for i in order if within(self.procedures[i])][:k] if within is not None else order[:k]
        terms = set(self._tokens([question])[0])
        hits = []
        for i in top:
            procedure = self.procedures[i]
            if step_similarity is not None and similarity is not None:
                start = self._starts[i]
                best = int(np.argmax(step_similarity[start : start + len(procedure.steps)]))
            else:
                overlaps = [len(terms & set(self._tokens([step.text])[0])) for step in procedure.steps]
                best = overlaps.index(max(overlaps))
            hits.append(
                Hit(
                    procedure,
                    float(score[i]),
                    float(lexical[i]),
                    None if similarity is None else float(similarity[i]),
                    best,
                    self.coverage(question, int(i)),
                    topic[i],
                    off_topic[i],
                )
            )
        return hits

    def safety_first(self, question: str, together: bool = True) -> Hit | None:
        """The best procedure of a safety topic the question names (`vocabulary`; `together`: also by its
        concepts together), if the index has one."""
        asked = self._safety.asked(question, together)
        if not any(asked & named for named in self._topics):
            return None
        return self.search(question, k=1, together=together)[0]


def _heading(procedure: Procedure) -> str:
    """What a procedure says it is for: its title and the tools it names ("What torque for the mold
    clamps?" is the mold change's, which names a torque wrench; its step says "120 Nm")."""
    return " ".join([procedure.title, *(procedure.tools or ())])


def _document(procedure: Procedure) -> str:
    return " ".join(step.text for step in procedure.steps)


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")
