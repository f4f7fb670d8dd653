"""The sentence-embedding featurizer and the classifier that combines it with word counts."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

from bot.nlu.sentence_counts import SentenceCountVectorsFeaturizer
from bot.nlu.sentence_embeddings import SentenceEmbeddingFeaturizer
from bot.nlu.tfidf_classifier import TfidfLogisticRegressionClassifier


@pytest.fixture(scope="module")
def featurizer():
    return SentenceEmbeddingFeaturizer(
        SentenceEmbeddingFeaturizer.get_default_config(), "embeddings"
    )


def sentence_vector(message: Message) -> np.ndarray:
    return message.get_dense_features("text")[1].features[0]


def test_messages_that_mean_the_same_are_closer_than_unrelated_ones(featurizer):
    texts = [
        "i keep going through his phone while he sleeps",
        "i cant stop reading her messages behind her back",
        "what should we cook for dinner on sunday",
    ]
    messages = featurizer.process([Message(data={"text": text}) for text in texts])
    same, other, unrelated = (sentence_vector(message) for message in messages)
    assert same.shape == (featurizer.encoder.dimension,)
    assert np.isclose(np.linalg.norm(same), 1.0, atol=1e-4)
    assert same @ other > same @ unrelated + 0.2


def test_a_batch_gives_the_same_vectors_as_one_message_at_a_time(featurizer):
    texts = [
        "we fight",
        "he promised to stop gambling and then lied about it again last week",
        "ok",
    ]
    together = featurizer.process([Message(data={"text": text}) for text in texts])
    for text, batched in zip(texts, together, strict=True):
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
        TfidfLogisticRegressionClassifier.get_default_config(),
        "classifier",
        LocalModelStorage(tmp_path),
        Resource("classifier"),
    )
    # The same words in both intents: only the (negative-valued) dense column tells them
    # apart. tf-idf over it would take the log of negative values and fail.
    training = TrainingData(
        [
            example(
                f"t{i}", "forgiveness" if i % 2 else "setback", [1, 1], [-1.0 if i % 2 else 1.0]
            )
            for i in range(20)
        ]
    )
    classifier.train(training)
    new = example("new", None, [1, 1], [-0.9])
    classifier.process([new])
    assert new.get("intent")["name"] == "forgiveness"


def tokenized(texts, intent="setback"):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    training = TrainingData([Message(data={"text": text, "intent": intent}) for text in texts])
    tokenizer.process_training_data(training)
    return training.training_examples


def train_counts(cls, config, tmp_path, name):
    context = ExecutionContext(GraphSchema({}), node_name=name)
    storage, resource = LocalModelStorage(tmp_path), Resource(name)
    featurizer = cls.create({**cls.get_default_config(), **config}, storage, resource, context)
    featurizer.train(TrainingData(tokenized(TRAINING_TEXTS)))
    return cls.load({**cls.get_default_config(), **config}, storage, resource, context)


TRAINING_TEXTS = [
    "i checked his phone again last night",
    "we were doing so well and then this",
    "she lied about the money 2 times",
    "Checking her LOCATION again",
]


@pytest.mark.parametrize("config", [{}, {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}])
def test_sentence_counts_are_exactly_rasas_and_nothing_else_is_computed(config, tmp_path):
    stock = train_counts(CountVectorsFeaturizer, config, tmp_path, "stock")
    ours = train_counts(SentenceCountVectorsFeaturizer, config, tmp_path, "ours")
    assert set(ours.vectorizers) == {"text"}  # no vocabularies for intents, actions, responses
    texts = TRAINING_TEXTS + ["i checked the phone 3 times and found an unknown word", "ok"]
    expected, actual = stock.process(tokenized(texts)), ours.process(tokenized(texts))
    for want, got in zip(expected, actual, strict=True):
        sequence, sentence = got.get_sparse_features("text")
        assert sequence is None
        assert (sentence.features != want.get_sparse_features("text")[1].features).nnz == 0
        assert got.get_sparse_features("intent") == (None, None)


def test_a_message_without_tokens_gets_no_count_features(tmp_path):
    ours = train_counts(SentenceCountVectorsFeaturizer, {}, tmp_path, "ours")
    message = ours.process([Message(data={"intent": "greet"})])[0]
    assert message.get_sparse_features("text") == (None, None)


def test_the_feature_matrix_is_rasas_and_a_missing_feature_is_a_row_of_zeros(tmp_path):
    messages = [example(f"t{i}", "setback", [i, 0, 1], [0.5, -i]) for i in range(5)]
    ours = TfidfLogisticRegressionClassifier(
        TfidfLogisticRegressionClassifier.get_default_config(),
        "ours",
        LocalModelStorage(tmp_path),
        Resource("ours"),
    )
    stock = LogisticRegressionClassifier(
        LogisticRegressionClassifier.get_default_config(),
        "stock",
        LocalModelStorage(tmp_path),
        Resource("stock"),
    )
    assert (ours._create_X(messages) != stock._create_X(messages)).nnz == 0

    without_dense = Message(data={"text": "x"})
    without_dense.add_features(
        Features(csr_matrix([[1, 2, 3]], dtype=float), "sentence", "text", "words")
    )
    matrix = ours._create_X([messages[1], without_dense]).toarray()
    assert matrix.tolist() == [[1, 0, 1, 0.5, -1], [1, 2, 3, 0, 0]]


def test_a_message_without_features_gets_no_intent_and_the_others_are_still_classified(tmp_path):
    classifier = TfidfLogisticRegressionClassifier(
        TfidfLogisticRegressionClassifier.get_default_config(),
        "classifier",
        LocalModelStorage(tmp_path),
        Resource("classifier"),
    )
    classifier.train(
        TrainingData(
            [
                example(f"t{i}", "forgiveness" if i % 2 else "setback", [i % 2, 1], [0.0])
                for i in range(20)
            ]
        )
    )
    empty, clear = Message(data={"text": ""}), example("new", None, [1, 1], [0.0])
    classifier.process([empty, clear])
    assert (
        empty.get("intent") == {"name": None, "confidence": 0.0}
        and empty.get("intent_ranking") == []
    )
    assert clear.get("intent")["name"] == "forgiveness"
