"""Replaces the text of rule-based entities with their canonical value.

SpacyEntityExtractor reports the matched text ("cheated on me"); the entity ruler knows
the pattern's id (``affair``). Slots and actions want the id, so this swaps it in.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CanonicalEntityValues(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CanonicalEntityValues:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            ids = {(ent.start_char, ent.end_char): ent.ent_id_ for ent in doc.ents if ent.ent_id_}
            for entity in message.get(ENTITIES, []):
                canonical = ids.get((entity.get("start"), entity.get("end")))
                if canonical:
                    entity["value"] = canonical
        return messages
