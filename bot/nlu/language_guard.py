"""Messages clearly not in English get the intent `other_language` and their language code,
so the assistant can answer, in that language, that it works in English.

Detection is offline with lingua (lingua-language-detector on PyPI: maintained, no model
download, accurate on short text, no dependencies), limited to English and the languages
that have a note (actions/dialogue/languages.yml). Short English chat ("idk", "we r ok")
fools every detector, so a message counts as another language only when it has at least
three words (or a non-Latin script), hardly any of the English words listed here (several
languages share "me" or "a"), and the detector finds English unlikely.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.paths import LANGUAGE_NOTES_FILE

INTENT_NAME = "other_language"
MIN_WORDS = 3
MAX_ENGLISH_WORDS = 0.2  # share of known English words above which a message is English
UNLIKELY_ENGLISH, DOUBTFUL_ENGLISH, CLEAR_LEAD = 0.05, 0.1, 0.45
ENGLISH_WORDS = frozenset(
    [
        "i",
        "i'm",
        "im",
        "you",
        "he",
        "she",
        "they",
        "we",
        "my",
        "me",
        "is",
        "are",
        "am",
        "was",
        "the",
        "a",
        "an",
        "and",
        "but",
        "or",
        "to",
        "of",
        "in",
        "on",
        "it",
        "not",
        "no",
        "yes",
        "what",
        "how",
        "why",
        "do",
        "don't",
        "dont",
        "can",
        "can't",
        "help",
        "please",
        "sorry",
        "ok",
        "okay",
        "so",
        "just",
        "like",
        "partner",
        "husband",
        "wife",
        "boyfriend",
        "girlfriend",
        "trust",
        "cheat",
        "cheated",
        "affair",
        "lied",
        "love",
    ]
)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageGuard(GraphComponent):
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageGuard:
        guard = cls(config)
        # Built, and its language models read (lingua loads them on first use: measured
        # 10-12 s), when Rasa loads rather than while the first person waits.
        guard.detector.compute_language_confidence_values("warm up every language model")
        return guard

    @cached_property
    def codes(self) -> list[str]:
        return list(yaml.safe_load(LANGUAGE_NOTES_FILE.read_text(encoding="utf-8"))["notes"])

    @cached_property
    def detector(self):
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        languages = [Language.ENGLISH] + [
            Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in self.codes
        ]
        return LanguageDetectorBuilder.from_languages(*languages).build()

    def other_language(self, text: str) -> str | None:
        """The ISO 639-1 code of a message clearly written in another noted language."""
        words = re.findall(r"\w+(?:'\w+)?", text.lower())
        non_latin = bool(re.search(r"[^\x00-\u024f\s\d\W]", text))
        english = sum(w in ENGLISH_WORDS for w in words)
        if not non_latin and (len(words) < MIN_WORDS or english > len(words) * MAX_ENGLISH_WORDS):
            return None
        values = self.detector.compute_language_confidence_values(text)
        best = values[0]
        code = best.language.iso_code_639_1.name.lower()
        english_confidence = next((v.value for v in values if v.language.name == "ENGLISH"), 0.0)
        # Related languages share the confidence: English must be unlikely and the best stand out.
        clear = english_confidence <= UNLIKELY_ENGLISH or (
            english_confidence <= DOUBTFUL_ENGLISH and best.value >= CLEAR_LEAD
        )
        return code if code != "en" and code in self.codes and clear else None

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            code = self.other_language(text) if text and not text.startswith("/") else None
            if code is None:
                continue
            intent = {INTENT_NAME_KEY: INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
            message.set("language", {"code": code}, add_to_output=True)
        return messages
