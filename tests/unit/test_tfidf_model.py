"""The intent classifier's and FAQ selector's stored model predicts exactly what the fitted
scikit-learn pipeline did, survives the model archive, and loading it needs no skops."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from bot.nlu.tfidf_classifier import TfidfLogisticRegressionClassifier
from bot.nlu.tfidf_model import TfidfLinearModel

SPARSE_WIDTH = 30


def features(rows: int, seed: int) -> scipy.sparse.csr_matrix:
    """Count columns (sparse, small integers) then dense ones (either sign)."""
    rng = np.random.default_rng(seed)
    counts = scipy.sparse.random(rows, SPARSE_WIDTH, density=0.2, random_state=seed)
    counts.data = np.ceil(counts.data * 4)
    dense = rng.normal(size=(rows, 8))
    return scipy.sparse.hstack([counts, scipy.sparse.csr_matrix(dense)], format="csr")


def classifier(tmp_path, name="classifier") -> TfidfLogisticRegressionClassifier:
    return TfidfLogisticRegressionClassifier(
        TfidfLogisticRegressionClassifier.get_default_config(),
        name,
        LocalModelStorage(tmp_path),
        Resource(name),
    )


@pytest.mark.parametrize("labels", [["setback", "forgiveness"], ["a", "b", "c", "d"]])
def test_predictions_are_scikit_learns_to_the_last_digit(tmp_path, labels):
    X, rng = features(120, 1), np.random.default_rng(2)
    y = [labels[i] for i in rng.integers(0, len(labels), size=120)]
    ours = classifier(tmp_path)
    pipeline = ours._estimator(SPARSE_WIDTH).fit(X, y)
    model = TfidfLinearModel.of(pipeline)

    unseen = features(40, 3)
    assert model.classes_.tolist() == pipeline.classes_.tolist()
    assert np.allclose(model.predict_proba(unseen), pipeline.predict_proba(unseen), atol=1e-12)
    assert np.allclose(model.predict_proba(unseen).sum(axis=1), 1.0)


def test_the_stored_model_is_the_trained_one(tmp_path):
    X, y = features(60, 4), ["a", "b", "c"] * 20
    trained = classifier(tmp_path)
    trained.fit(X, y, SPARSE_WIDTH)
    trained.persist()
    context = ExecutionContext(GraphSchema({}), node_name="classifier")
    loaded = TfidfLogisticRegressionClassifier.load(
        TfidfLogisticRegressionClassifier.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("classifier"),
        context,
    )
    unseen = features(10, 5)
    assert loaded.clf.classes_.tolist() == ["a", "b", "c"]
    assert np.array_equal(loaded.clf.predict_proba(unseen), trained.clf.predict_proba(unseen))


def test_loading_the_classifier_does_not_import_skops():
    # skops imports every scikit-learn estimator (and pytest): seconds at every server start.
    code = (
        "import sys, bot.nlu.tfidf_classifier, bot.nlu.faq_selector; print('skops' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
