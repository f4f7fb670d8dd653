"""Rasa's CountVectorsFeaturizer, cut down to what a sentence-level classifier reads.

The stock featurizer also builds a token-by-vocabulary matrix for every message (sequence
features, for DIET and TED) and counts for the intent, response and action attributes (for
label embeddings), one scikit-learn call per message. This pipeline's classifier reads
only the sentence counts of the user's text, so all of that was thrown away, and Rasa then
fingerprinted it after every featurizer: about a quarter of training time
(README, "Training time"). This subclass keeps Rasa's vocabulary, lemmas, OOV and
persistence code and its sentence features unchanged; it drops the rest and transforms
a whole batch in one call.
"""

from __future__ import annotations

import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    @staticmethod
    def _attributes_for(analyzer: str) -> list[str]:
        return [TEXT]

    def _create_features(
        self, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[scipy.sparse.spmatrix | None], list[scipy.sparse.spmatrix | None]]:
        no_features: list[scipy.sparse.spmatrix | None] = [None] * len(all_tokens)
        if not self.vectorizers.get(attribute) or not all_tokens:
            return no_features, list(no_features)
        # The same input as Rasa's sentence features: the message's processed tokens, joined.
        counts = self.vectorizers[attribute].transform([" ".join(tokens) for tokens in all_tokens])
        counts.sort_indices()
        sentences = [
            counts[row].tocoo() if tokens else None for row, tokens in enumerate(all_tokens)
        ]
        return no_features, sentences

    def process(self, messages: list[Message]) -> list[Message]:
        tokens = [
            self._get_processed_message_tokens_by_attribute(message, TEXT) for message in messages
        ]
        _, sentences = self._create_features(TEXT, tokens)
        for message, sentence in zip(messages, sentences, strict=True):
            self.add_features_to_message(None, sentence, TEXT, message)
        return messages
