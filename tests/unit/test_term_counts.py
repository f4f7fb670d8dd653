"""The risk detector's counted tf-idf equals scikit-learn's vectorizer fitted per set."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.nlu.risk_detector import VECTORIZERS
from bot.nlu.term_counts import TermCounts

TEXTS = [
    "He reads my messages every night.",
    "i don't want to be here anymore",
    "We argued again, and I said things I regret.",
    "i don't want to be here anymore",  # a repeat counts twice, as in scikit-learn
    "She won't let me see my sister",
    "the kids would manage without me",
]
UNSEEN = ["he won't let me see anyone", "we argued about my sister"]


@pytest.mark.parametrize("name", sorted(VECTORIZERS))
def test_counted_tfidf_is_the_vectorizer_fitted_on_the_set(name):
    options = VECTORIZERS[name]
    counts = TermCounts(TEXTS + UNSEEN, options)
    training = TEXTS[:5]
    expected = TfidfVectorizer(lowercase=True, sublinear_tf=True, **options).fit(training)

    vectorizer, keep = counts.fitted(training)

    assert vectorizer.vocabulary_ == expected.vocabulary_
    assert np.allclose(vectorizer.idf_, expected.idf_)
    for texts in (training, UNSEEN):
        counted = counts.tfidf(texts, keep, vectorizer.idf_).toarray()
        assert np.allclose(counted, expected.transform(texts).toarray())
        assert np.allclose(vectorizer.transform(texts).toarray(), counted)
