"""The NumPy forward pass gives the vectors the model gives in ``transformers``' own BERT.

The trained classifiers and the risk detector were fitted on these vectors; if the NumPy
arithmetic drifted (a transposed weight, the wrong GELU, padding leaking into attention or
into the mean), every theme and safety score would move with it.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.minilm import MiniLMEncoder
from bot.nlu.sentence_embeddings import packaged_model_dir, sentence_encoder

TEXTS = [
    "hi",
    "I keep checking his phone when he's in the shower",
    "she said sorry but i dont believe her anymore 😔",
    "We agreed on a weekly check-in. Sunday evenings, no phones, twenty minutes. "
    "Last week he skipped it and I didn't say anything because I didn't want a fight.",
    "idk",
]


@pytest.fixture(scope="module")
def reference_vectors() -> np.ndarray:
    """Mean-pooled, normalised last hidden states of transformers' TensorFlow BERT."""
    import tensorflow as tf
    import transformers

    transformers.logging.set_verbosity_error()
    model_dir = str(packaged_model_dir())
    tokenizer = transformers.BertTokenizerFast.from_pretrained(model_dir)
    model = transformers.TFBertModel.from_pretrained(model_dir)
    batch = tokenizer(TEXTS, padding=True, truncation=True, max_length=128, return_tensors="tf")
    hidden = model(**batch).last_hidden_state
    mask = tf.cast(batch["attention_mask"], hidden.dtype)[..., None]
    mean = tf.reduce_sum(hidden * mask, axis=1) / tf.reduce_sum(mask, axis=1)
    return tf.math.l2_normalize(mean, axis=1).numpy()


def test_numpy_vectors_match_transformers_bert(reference_vectors: np.ndarray) -> None:
    vectors = MiniLMEncoder(packaged_model_dir(), max_length=128, batch_size=2).embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(vectors, reference_vectors, atol=2e-5)


def test_padding_does_not_change_a_vector() -> None:
    encoder = MiniLMEncoder(packaged_model_dir(), max_length=128, batch_size=8)
    alone = encoder.embed(["idk"])
    beside_a_long_text = encoder.embed(["idk", TEXTS[3]])[0]
    np.testing.assert_allclose(beside_a_long_text, alone[0], atol=1e-5)


def test_long_text_is_truncated_not_refused() -> None:
    encoder = MiniLMEncoder(packaged_model_dir(), max_length=16, batch_size=8)
    assert max(len(ids) for ids in encoder.token_ids([TEXTS[3] * 5])) == 16
    assert np.isclose(np.linalg.norm(encoder.embed([TEXTS[3] * 5])[0]), 1.0)


def test_one_encoder_per_process() -> None:
    assert sentence_encoder() is sentence_encoder()
