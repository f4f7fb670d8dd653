"""N-gram counts of many texts, analysed once and turned into each training set's tf-idf.

Cross-validation fits a tf-idf vectorizer per fold on mostly the same texts, and analysing
character n-grams was most of the risk detector's training time. Here every text is analysed
once; each set's vocabulary (``min_df``), idf and weighted matrix come from those counts and
equal what scikit-learn's ``TfidfVectorizer(sublinear_tf=True).fit(texts)`` gives
(tests/unit/test_term_counts.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize


class TermCounts:
    """One analyzer's counts of a fixed collection of texts."""

    def __init__(self, texts: Iterable[str], options: dict[str, Any]) -> None:
        self.options = dict(options)
        unique = list(dict.fromkeys(texts))
        counter = CountVectorizer(
            lowercase=True, **{k: v for k, v in options.items() if k != "min_df"}
        )
        self.counts = counter.fit_transform(unique).tocsr().astype(np.float64)
        self.names = counter.get_feature_names_out()
        self.row = {text: i for i, text in enumerate(unique)}

    def knows(self, texts: Sequence[str]) -> bool:
        return all(text in self.row for text in texts)

    def rows(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        return self.counts[[self.row[text] for text in texts]]

    def fitted(self, texts: Sequence[str]) -> tuple[TfidfVectorizer, np.ndarray]:
        """The vectorizer fitted on `texts` (repeats count, as in scikit-learn), and the
        columns of the counts it keeps."""
        df = np.bincount(self.rows(texts).indices, minlength=len(self.names))
        keep = np.flatnonzero(df >= self.options.get("min_df", 1))
        vectorizer = TfidfVectorizer(
            lowercase=True,
            sublinear_tf=True,
            vocabulary={name: i for i, name in enumerate(self.names[keep])},
            **{k: v for k, v in self.options.items() if k != "min_df"},
        )
        vectorizer.idf_ = np.log((1 + len(texts)) / (1 + df[keep])) + 1
        return vectorizer, keep

    def tfidf(
        self, texts: Sequence[str], keep: np.ndarray, idf: np.ndarray
    ) -> scipy.sparse.csr_matrix:
        """What the fitted vectorizer's `transform(texts)` gives."""
        matrix = self.rows(texts)[:, keep].tocsr()
        np.log(matrix.data, matrix.data)
        matrix.data += 1
        matrix = matrix @ scipy.sparse.diags(idf, format="csr")
        return normalize(matrix, norm="l2", copy=False)
