"""One sentence encoder per process: the featurizer and the risk detector share it."""

from __future__ import annotations

from bot.nlu.sentence_embeddings import sentence_encoder


def test_one_encoder_per_process() -> None:
    assert sentence_encoder() is sentence_encoder()
