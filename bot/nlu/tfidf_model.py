"""A fitted tf-idf logistic regression as plain arrays: what the intent classifier and the FAQ
selector keep in the model and predict with.

Rasa stores its LogisticRegressionClassifier with skops, and importing ``skops.io`` imports
every scikit-learn estimator (to list the types it trusts), pytest included: measured at
5.7 s of the 22 s a Rasa server took to start, in every process that loads the model. The
fitted pipeline is only idf weights and a weight matrix, so they are stored the way the risk
detector stores its own (JSON and ``.npz``, never pickled), and predicting is the same
arithmetic as scikit-learn's (tests/unit/test_tfidf_model.py compares the two).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse
from scipy.special import expit, softmax
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize

from bot.nlu.linear import for_sparse_rows


@dataclass
class TfidfLinearModel:
    """Columns ``[0, sparse_width)`` are counts (sublinear tf-idf, l2-normalised), the rest
    dense features as they are; then one linear layer and a softmax (or one-vs-rest)."""

    classes_: np.ndarray
    sparse_width: int
    idf: np.ndarray
    coef: np.ndarray  # (classes or 1, features), column-major: see bot/nlu/linear.py
    intercept: np.ndarray
    one_vs_rest: bool

    @classmethod
    def of(cls, pipeline: Pipeline) -> TfidfLinearModel:
        """The arrays of a pipeline built by TfidfLogisticRegressionClassifier._estimator."""
        features, logistic = pipeline.named_steps["features"], pipeline.named_steps["logistic"]
        tfidf = features.named_transformers_["tfidf"]
        multi_class = logistic.multi_class
        one_vs_rest = multi_class == "ovr" or (
            multi_class == "auto"
            and (len(logistic.classes_) <= 2 or logistic.solver == "liblinear")
        )
        return cls(
            np.asarray(logistic.classes_),
            len(tfidf.idf_),
            np.asarray(tfidf.idf_),
            for_sparse_rows(logistic.coef_),
            np.asarray(logistic.intercept_),
            one_vs_rest,
        )

    def decision_function(self, X: scipy.sparse.spmatrix) -> np.ndarray:
        X = scipy.sparse.csr_matrix(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        counts = X[:, : self.sparse_width].copy()
        np.log(counts.data, counts.data)
        counts.data += 1
        weighted = normalize(counts @ scipy.sparse.diags(self.idf), copy=False)
        rows = scipy.sparse.hstack([weighted, X[:, self.sparse_width :]], format="csr")
        return np.asarray(rows @ self.coef.T) + self.intercept

    def predict_proba(self, X: scipy.sparse.spmatrix) -> np.ndarray:
        decision = self.decision_function(X)
        if not self.one_vs_rest:
            return softmax(decision, axis=1)
        if decision.shape[1] == 1:
            positive = expit(decision[:, 0])
            return np.column_stack([1 - positive, positive])
        probabilities = expit(decision)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    # --- storage ----------------------------------------------------------------------
    def save(self, directory: Path, name: str) -> None:
        meta = {
            "classes": self.classes_.tolist(),
            "sparse_width": self.sparse_width,
            "one_vs_rest": self.one_vs_rest,
        }
        (directory / f"{name}.json").write_text(json.dumps(meta), encoding="utf-8")
        np.savez(directory / f"{name}.npz", idf=self.idf, coef=self.coef, intercept=self.intercept)

    @classmethod
    def load(cls, directory: Path, name: str) -> TfidfLinearModel:
        meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        with np.load(directory / f"{name}.npz", allow_pickle=False) as arrays:
            return cls(
                np.array(meta["classes"]),
                int(meta["sparse_width"]),
                arrays["idf"],
                for_sparse_rows(arrays["coef"]),
                arrays["intercept"],
                bool(meta["one_vs_rest"]),
            )
