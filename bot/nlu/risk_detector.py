"""The learned risk detector: how likely a message is a crisis or an abuse disclosure.

Rules catch clear wording; this catches the indirect kind (passive ideation, farewell
behaviour, means; coercive control without violence words). Per category, a logistic
regression over word and character tf-idf and the project's sentence embeddings
(bot/nlu/sentence_embeddings.py), calibrated with a sigmoid fitted on out-of-fold scores,
trained on data/safety/ at `rasa train`. A message is scored sentence by sentence (and by
pairs of sentences) and keeps its highest score, so one clause inside a long story about an
affair counts as much as the same clause alone.

Two thresholds per category come out of training, from out-of-fold scores: ``uncertain``
keeps the target recall (a gentle check question), ``clear`` allows almost no false alarms
(the safety response at once). Everything is stored as plain arrays and JSON, never pickled.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from bot.nlu.linear import for_sparse_rows
from bot.nlu.safety_data import CATEGORIES, SafetyExample, sentences
from bot.nlu.term_counts import TermCounts

Embedder = Callable[[list[str]], np.ndarray]
MAX_UNITS = 24  # sentences and pairs scored per message; the rest is one more "unit"
# Word tokens keep "i", "no", "not" and "n't": they carry meaning here.
VECTORIZERS = {
    "word": {
        "analyzer": "word",
        "ngram_range": (1, 2),
        "min_df": 1,
        "token_pattern": r"(?u)\b\w+\b|n't",
    },
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2},
}


@dataclass(frozen=True)
class DetectorConfig:
    C: float = 4.0
    embedding_weight: float = 1.5
    target_recall: float = 0.99  # the uncertain threshold keeps this share of disclosures...
    uncertain_max_false_positive_rate: float = 0.02  # ...unless it would ask this many more
    clear_max_false_positive_rate: float = 0.003  # the clear threshold lets this few through
    folds: int = 5
    random_state: int = 42

    @classmethod
    def of(cls, config: dict) -> DetectorConfig:
        return cls(**{k: config[k] for k in cls.__dataclass_fields__ if k in config})


@dataclass(frozen=True)
class Thresholds:
    uncertain: float
    clear: float

    def as_dict(self) -> dict[str, float]:
        return {"uncertain": self.uncertain, "clear": self.clear}


def units(text: str) -> list[str]:
    """What a message is scored on: itself, each sentence and each pair of sentences."""
    parts = sentences(text)
    if len(parts) <= 1:
        return [text]
    pairs = [f"{a} {b}" for a, b in zip(parts, parts[1:], strict=False)]
    return [text] + (parts + pairs)[:MAX_UNITS]


def default_embedder(texts: list[str]) -> np.ndarray:
    from bot.nlu.sentence_embeddings import sentence_encoder

    return sentence_encoder().embed(texts)


class CachedEmbedder:
    """Embeds each distinct text once (training and cross-validation see texts again)."""

    def __init__(self, embed: Embedder) -> None:
        self.embed, self.cache = embed, {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            self.cache.update(zip(missing, self.embed(missing), strict=True))
        return np.vstack([self.cache[t] for t in texts]) if texts else np.zeros((0, 384))


@dataclass
class _Scorer:
    """Features plus one linear model per category: raw decision values, no calibration."""

    vectorizers: dict[str, TfidfVectorizer]
    coef: np.ndarray  # (categories, features)
    intercept: np.ndarray  # (categories,)
    embedding_weight: float
    # While training: each vectorizer's counts of every training text and unit, and the
    # columns it keeps (the same tf-idf as `transform`, without analysing the text again).
    counted: dict[str, tuple[TermCounts, np.ndarray]] | None = None

    @classmethod
    def unfitted(
        cls,
        texts: list[str],
        embed: Embedder,
        config: DetectorConfig,
        counts: Mapping[str, TermCounts],
    ):
        """The scorer with its vectorizers fitted, and the feature matrix of `texts`."""
        fitted = {name: counts[name].fitted(texts) for name in VECTORIZERS}
        scorer = cls(
            {name: vectorizer for name, (vectorizer, _) in fitted.items()},
            np.zeros(0),
            np.zeros(0),
            config.embedding_weight,
            {name: (counts[name], keep) for name, (_, keep) in fitted.items()},
        )
        return scorer, scorer.features(texts, embed)

    def tfidf(self, texts: list[str]) -> list[scipy.sparse.csr_matrix]:
        if self.counted and all(counts.knows(texts) for counts, _ in self.counted.values()):
            return [
                counts.tfidf(texts, keep, self.vectorizers[name].idf_)
                for name, (counts, keep) in self.counted.items()
            ]
        return [v.transform(texts) for v in self.vectorizers.values()]

    def features(self, texts: list[str], embed: Embedder) -> scipy.sparse.csr_matrix:
        blocks = self.tfidf(texts)
        dense = embed(texts) * self.embedding_weight
        return scipy.sparse.hstack(blocks + [scipy.sparse.csr_matrix(dense)], format="csr")

    def _unit_values(self, texts: Sequence[str], embed: Embedder):
        """Every unit of every text, the text it belongs to, and its decision values."""
        all_units, owner = [], []
        for i, text in enumerate(texts):
            for unit in units(text):
                all_units.append(unit)
                owner.append(i)
        values = self.features(all_units, embed) @ self.coef.T + self.intercept
        return all_units, np.array(owner, dtype=int), np.asarray(values)

    def decisions(self, texts: Sequence[str], embed: Embedder) -> np.ndarray:
        """(texts, categories): the highest decision value over each text's units."""
        _, owner, values = self._unit_values(texts, embed)
        return _highest(owner, values, len(texts))

    def strongest(self, texts: Sequence[str], embed: Embedder) -> tuple[np.ndarray, list]:
        """The decisions, and per text and category its most worrying sentence: the words a
        check question can quote back (a whole story, or a pair, would start elsewhere)."""
        all_units, owner, values = self._unit_values(texts, embed)
        own_sentences = [set(sentences(text)) for text in texts]
        quotable = np.array(
            [
                unit in own_sentences[o] or len(own_sentences[o]) <= 1
                for unit, o in zip(all_units, owner, strict=True)
            ]
        )
        winners = [[""] * values.shape[1] for _ in texts]
        for c in range(values.shape[1]):
            ranked = np.where(quotable, values[:, c], -np.inf)
            order = np.lexsort((-ranked, owner))  # by text, its best sentence first
            for i in order[np.r_[True, owner[order][1:] != owner[order][:-1]]]:
                winners[owner[i]][c] = all_units[i]
        return _highest(owner, values, len(texts)), winners


def _highest(owner: np.ndarray, values: np.ndarray, texts: int) -> np.ndarray:
    """(texts, categories): each text's highest value over the units it owns."""
    best = np.full((texts, values.shape[1]), -np.inf)
    np.maximum.at(best, owner, values)
    return best


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def labels_of(examples: Sequence[SafetyExample]) -> np.ndarray:
    return np.array([[c in e.categories for c in CATEGORIES] for e in examples], dtype=int)


def ordinary_units(texts: Sequence[str]) -> list[str]:
    """Ordinary relationship talk cut the way a message is scored (itself, its sentences and
    pairs): each unit is a negative, so no sentence of an everyday story raises the alarm."""
    return list(dict.fromkeys(unit for text in texts for unit in units(text)))


def term_counts(texts: Sequence[str]) -> dict[str, TermCounts]:
    """Every vectorizer's counts of `texts` and of their units, for all folds at once."""
    everything = list(texts) + [unit for text in texts for unit in units(text)]
    return {name: TermCounts(everything, options) for name, options in VECTORIZERS.items()}


def _with_negatives(texts: list[str], y: np.ndarray, negatives: Sequence[str]):
    extra = np.zeros((len(negatives), y.shape[1]), dtype=y.dtype)
    return texts + list(negatives), np.vstack([y, extra]) if len(negatives) else y


def out_of_fold_decisions(
    examples: Sequence[SafetyExample],
    embed: Embedder,
    config: DetectorConfig,
    negatives: Sequence[str] = (),
    counts: Mapping[str, TermCounts] | None = None,
) -> np.ndarray:
    """Each example's decision values from a model that never saw it (k-fold). The extra
    `negatives` are in every fold's training part and are never scored: the thresholds come
    from the safety set alone."""
    texts = [e.text for e in examples]
    counts = counts or term_counts(texts + list(negatives))
    y = labels_of(examples)
    strata = [e.label for e in examples]
    # A disclosure and its copy inside a story stay in one fold: otherwise the copy is scored
    # by a model that has seen its sentence, and the thresholds come out too optimistic.
    groups = [e.group for e in examples]
    folds = StratifiedGroupKFold(config.folds, shuffle=True, random_state=config.random_state)
    splits = list(folds.split(texts, strata, groups))
    scorers = fit_scorers(
        [_with_negatives([texts[i] for i in train], y[train], negatives) for train, _ in splits],
        embed,
        config,
        counts,
    )
    decisions = np.zeros(y.shape, dtype=float)
    for scorer, (_, held) in zip(scorers, splits, strict=True):
        decisions[held] = scorer.decisions([texts[i] for i in held], embed)
    return decisions


def fit_scorers(
    training_sets: Sequence[tuple[list[str], np.ndarray]],
    embed: Embedder,
    config: DetectorConfig,
    counts: Mapping[str, TermCounts],
) -> list[_Scorer]:
    """One scorer per (texts, labels) set. The linear models (one per set and category) are
    independent and each fit is single-threaded, so they run in parallel processes: on two
    cores this halves the longest step of training. The models are the same as fitted one
    after another (lbfgs is deterministic)."""
    prepared = [_Scorer.unfitted(texts, embed, config, counts) for texts, _ in training_sets]
    tasks = [
        (X, labels[:, i])
        for (_, X), (_, labels) in zip(prepared, training_sets, strict=True)
        for i in range(labels.shape[1])
    ]
    processes = min(len(tasks), os.cpu_count() or 1)
    fitted = Parallel(n_jobs=processes)(delayed(_fit_linear)(X, y, config) for X, y in tasks)
    scorers = []
    for (scorer, _), (_, labels) in zip(prepared, training_sets, strict=True):
        mine, fitted = fitted[: labels.shape[1]], fitted[labels.shape[1] :]
        scorer.coef = for_sparse_rows(np.vstack([coef for coef, _ in mine]))
        scorer.intercept = np.array([intercept for _, intercept in mine])
        scorers.append(scorer)
    return scorers


def _fit_linear(X: scipy.sparse.csr_matrix, y: np.ndarray, config: DetectorConfig):
    model = LogisticRegression(
        C=config.C, class_weight="balanced", max_iter=3000, random_state=config.random_state
    ).fit(X, y)
    return model.coef_[0], model.intercept_[0]


def fit_calibration(decisions: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Platt scaling per category: (categories, 2) slope and offset."""
    platt = []
    for i in range(y.shape[1]):
        model = LogisticRegression(C=1e4).fit(decisions[:, i : i + 1], y[:, i])
        platt.append([model.coef_[0][0], model.intercept_[0]])
    return np.array(platt)


def choose_thresholds(
    scores: np.ndarray, y: np.ndarray, config: DetectorConfig
) -> dict[str, Thresholds]:
    """Per category: "uncertain" keeps the target recall as long as it asks the check question
    of at most the allowed share of harmless messages; "clear" lets almost none through.
    Out-of-fold scores, so the thresholds are what unseen wording would get."""
    chosen = {}
    for i, category in enumerate(CATEGORIES):
        positives = np.sort(scores[y[:, i] == 1, i])
        negatives = np.sort(scores[y[:, i] == 0, i])
        missed_allowed = int(np.floor(len(positives) * (1 - config.target_recall)))
        for_recall = float(positives[missed_allowed]) if len(positives) else 0.5
        uncertain = max(for_recall, _above(negatives, config.uncertain_max_false_positive_rate))
        clear = max(uncertain, _above(negatives, config.clear_max_false_positive_rate))
        chosen[category] = Thresholds(uncertain, clear)
    return chosen


def _above(negatives: np.ndarray, rate: float) -> float:
    """The lowest threshold that lets at most ``rate`` of the (sorted) negatives through."""
    if not len(negatives):
        return 0.5
    allowed = int(np.floor(len(negatives) * rate))
    return float(negatives[-1 - allowed]) + 1e-6 if allowed < len(negatives) else 0.0


@dataclass
class RiskModel:
    scorer: _Scorer
    platt: np.ndarray  # (categories, 2)
    thresholds: dict[str, Thresholds]
    training_report: dict = field(default_factory=dict)
    embed: Embedder = default_embedder

    @classmethod
    def train(
        cls,
        examples: Sequence[SafetyExample],
        config: DetectorConfig = DetectorConfig(),
        embed: Embedder = default_embedder,
        ordinary: Sequence[str] = (),
    ) -> RiskModel:
        """`ordinary`: everyday relationship messages (the theme training examples), learnt
        as negatives sentence by sentence."""
        embed = embed if isinstance(embed, CachedEmbedder) else CachedEmbedder(embed)
        y = labels_of(examples)
        negatives = ordinary_units(ordinary)
        counts = term_counts([e.text for e in examples] + negatives)
        oof = out_of_fold_decisions(examples, embed, config, negatives, counts)
        platt = fit_calibration(oof, y)
        oof_scores = _sigmoid(oof * platt[:, 0] + platt[:, 1])
        thresholds = choose_thresholds(oof_scores, y, config)
        (scorer,) = fit_scorers(
            [_with_negatives([e.text for e in examples], y, negatives)], embed, config, counts
        )
        scorer.counted = None  # the counts are for training only
        report = {
            "examples": len(examples),
            "ordinary_units": len(negatives),
            "positives": {c: int(y[:, i].sum()) for i, c in enumerate(CATEGORIES)},
        }
        model = cls(scorer, platt, thresholds, report, embed)
        model.out_of_fold_scores = oof_scores  # for the evaluation report, not persisted
        return model

    def scores(
        self, texts: Sequence[str], known: Mapping[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """(texts, categories) calibrated probabilities, crisis then abuse. `known`: vectors
        already computed for some of the texts (the featurizer's, for whole messages)."""
        return self.assess(texts, known)[0]

    def assess(
        self, texts: Sequence[str], known: Mapping[str, np.ndarray] | None = None
    ) -> tuple[np.ndarray, list[dict[str, str]]]:
        """The scores, and per text and category its most worrying sentence (`strongest`)."""
        if not texts:
            return np.zeros((0, len(CATEGORIES))), []
        embed = self.embed
        if known:
            embed = CachedEmbedder(self.embed)
            embed.cache.update(known)
        decisions, winners = self.scorer.strongest(list(texts), embed)
        strongest = [dict(zip(CATEGORIES, row, strict=True)) for row in winners]
        return _sigmoid(decisions * self.platt[:, 0] + self.platt[:, 1]), strongest

    def score(self, text: str) -> dict[str, float]:
        return dict(zip(CATEGORIES, (float(s) for s in self.scores([text])[0]), strict=True))

    # --- storage: plain JSON and arrays ------------------------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "categories": list(CATEGORIES),
            "embedding_weight": self.scorer.embedding_weight,
            "thresholds": {c: t.as_dict() for c, t in self.thresholds.items()},
            "training_report": self.training_report,
            "vectorizers": {
                name: {"vocabulary": {k: int(v) for k, v in vec.vocabulary_.items()}}
                for name, vec in self.scorer.vectorizers.items()
            },
        }
        (directory / "risk_detector.json").write_text(json.dumps(meta), encoding="utf-8")
        np.savez(
            directory / "risk_detector.npz",
            coef=self.scorer.coef,
            intercept=self.scorer.intercept,
            platt=self.platt,
            **{f"idf_{name}": vec.idf_ for name, vec in self.scorer.vectorizers.items()},
        )

    @classmethod
    def load(cls, directory: Path, embed: Embedder = default_embedder) -> RiskModel:
        meta = json.loads((directory / "risk_detector.json").read_text(encoding="utf-8"))
        if tuple(meta["categories"]) != CATEGORIES:
            raise ValueError(f"{directory}: trained for {meta['categories']}, not {CATEGORIES}")
        with np.load(directory / "risk_detector.npz", allow_pickle=False) as arrays:
            vectorizers = {}
            for name, options in VECTORIZERS.items():
                vec = TfidfVectorizer(
                    lowercase=True,
                    sublinear_tf=True,
                    vocabulary=meta["vectorizers"][name]["vocabulary"],
                    **options,
                )
                vec.idf_ = arrays[f"idf_{name}"]
                vectorizers[name] = vec
            scorer = _Scorer(
                vectorizers,
                for_sparse_rows(arrays["coef"]),
                arrays["intercept"],
                meta["embedding_weight"],
            )
            platt = arrays["platt"]
        thresholds = {c: Thresholds(**t) for c, t in meta["thresholds"].items()}
        return cls(scorer, platt, thresholds, meta["training_report"], embed)
