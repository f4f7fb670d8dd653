"""Picks the answer to a frequently asked question: Rasa's retrieval intents, selected by the
project's tf-idf logistic regression instead of ResponseSelector's TensorFlow model.

Rasa's ResponseSelector needs token-level (sequence) features, which this pipeline does not
compute (the classifier reads sentence features only, bot/nlu/sentence_counts.py), and it
trains a transformer for every change. This component reads the same sentence features as
the intent classifier, learns `faq/<topic>` from the retrieval-intent examples, and writes
the parse data exactly as ResponseSelector does (`response_selector.faq`), so Rasa's own
retrieval action `utter_faq` and the action server read it unchanged.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.tfidf_classifier import TfidfLogisticRegressionClassifier

SELECTOR_PROPERTY = "response_selector"
RANKING_LENGTH = 5


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqResponseSelector(TfidfLogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**TfidfLogisticRegressionClassifier.get_default_config(), "retrieval_intent": "faq"}

    def _examples(self, training_data: TrainingData) -> list[Message]:
        intent = self.config["retrieval_intent"]
        return [
            e
            for e in training_data.intent_examples
            if e.get(INTENT) == intent and e.get(INTENT_RESPONSE_KEY) and e.get(TEXT)
        ]

    def train(self, training_data: TrainingData) -> Resource:
        examples = self._examples(training_data)
        if not examples:
            return self._resource
        self.fit(
            self._create_X(examples),
            [e.get(INTENT_RESPONSE_KEY) for e in examples],
            self._sparse_width(training_data),
        )
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        featured = [m for m in messages if m.features_present(TEXT)]
        if not featured or not hasattr(self.clf, "classes_"):
            return messages
        probabilities = self.clf.predict_proba(self._create_X(featured))
        for message, row in zip(featured, probabilities, strict=True):
            ranking = sorted(
                (
                    {INTENT_RESPONSE_KEY: key, PREDICTED_CONFIDENCE_KEY: float(p)}
                    for key, p in zip(self.clf.classes_, row, strict=True)
                ),
                key=lambda label: -label[PREDICTED_CONFIDENCE_KEY],
            )
            top = ranking[0]
            intent = self.config["retrieval_intent"]
            selected = {
                "response": {
                    "responses": None,
                    PREDICTED_CONFIDENCE_KEY: top[PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: top[INTENT_RESPONSE_KEY],
                    "utter_action": f"utter_{top[INTENT_RESPONSE_KEY]}",
                },
                "ranking": ranking[:RANKING_LENGTH],
            }
            properties = message.get(SELECTOR_PROPERTY, {})
            properties.setdefault("all_retrieval_intents", []).append(intent)
            properties[intent] = selected
            message.set(SELECTOR_PROPERTY, properties, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
