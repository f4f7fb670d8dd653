"""The sentence-embedding featurizer and the classifier that combines it with word counts."""
from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

from bot.nlu.sentence_embeddings import SentenceEmbeddingFeaturizer
from bot.nlu.tfidf_classifier import TfidfLogisticRegressionClassifier


@pytest.fixture(scope="module")
def featurizer():
    return SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "embeddings")


def sentence_vector(message: Message) -> np.ndarray:
    return message.get_dense_features("text")[1].features[0]


def test_messages_that_mean_the_same_are_closer_than_unrelated_ones(featurizer):
    texts = ["i keep going through his phone while he sleeps",
             "i cant stop reading her messages behind her back",
             "what should we cook for dinner on sunday"]
    messages = featurizer.process([Message(data={"text": text}) for text in texts])
    same, other, unrelated = (sentence_vector(message) for message in messages)
    assert same.shape == (featurizer.encoder.dimension,)
    assert np.isclose(np.linalg.norm(same), 1.0, atol=1e-4)
    assert same @ other > same @ unrelated + 0.2


def test_a_batch_gives_the_same_vectors_as_one_message_at_a_time(featurizer):
    texts = ["we fight", "he promised to stop gambling and then lied about it again last week", "ok"]
    together = featurizer.process([Message(data={"text": text}) for text in texts])
    for text, batched in zip(texts, together):
        alone = featurizer.process([Message(data={"text": text})])[0]
        assert np.allclose(sentence_vector(alone), sentence_vector(batched), atol=1e-5)


def test_messages_without_text_get_no_features(featurizer):
    message = featurizer.process([Message(data={"intent": "greet"})])[0]
    assert message.get_dense_features("text") == (None, None)


def example(text: str, intent: str, counts, dense) -> Message:
    message = Message(data={"text": text, "intent": intent})
    message.add_features(Features(csr_matrix([counts], dtype=float), "sentence", "text", "words"))
    message.add_features(Features(np.array([dense], dtype=float), "sentence", "text", "dense"))
    return message


def test_only_count_columns_are_tfidf_weighted_and_dense_ones_decide_when_words_cannot(tmp_path):
    classifier = TfidfLogisticRegressionClassifier(
        TfidfLogisticRegressionClassifier.get_default_config(), "classifier",
        LocalModelStorage(tmp_path), Resource("classifier"))
    # The same words in both intents: only the (negative-valued) dense column tells them
    # apart. tf-idf over it would take the log of negative values and fail.
    training = TrainingData([example(f"t{i}", "forgiveness" if i % 2 else "setback", [1, 1], [-1.0 if i % 2 else 1.0])
                             for i in range(20)])
    classifier.train(training)
    new = example("new", None, [1, 1], [-0.9])
    classifier.process([new])
    assert new.get("intent")["name"] == "forgiveness"
