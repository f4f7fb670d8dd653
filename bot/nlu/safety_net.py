"""The safety net: rules, the intent classifier and the learned risk detector together.

Three signals, combined by bot/nlu/safety_signal.py into one verdict:
- precise rules for clear wording (lemma and phrase patterns in bot/patterns/safety.yml;
  idioms such as "this is killing me" cancel the matches they overlap),
- the intent classifier's ``crisis`` / ``abuse`` guess when it is very sure,
- the risk detector (bot/nlu/risk_detector.py), trained here from data/safety/ at
  `rasa train`, with an "uncertain" and a "clear" threshold per category.

This component runs last and sets the intent: ``crisis`` or ``abuse`` for a clear signal
(so every rule, form and channel handles a disclosure the same way, also in the middle of
an exercise), ``safety_check`` for an uncertain one (one gentle check question first),
``covert_monitoring`` for a request to monitor a partner secretly. The verdict is added to
the parse data of every text message as ``safety`` (tier, categories, scores, thresholds,
nets, minor, covert), so the action side can also weigh the last few messages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import safety_signal
from bot.nlu.risk_detector import DetectorConfig, RiskModel
from bot.nlu.safety_data import embed_in_stories, load_dir
from bot.nlu.safety_flags import asks_covert_monitoring, says_minor
from bot.nlu.sentence_embeddings import SENTENCE_VECTOR
from bot.paths import PATTERNS_DIR, REPO_ROOT

CATEGORIES = ("crisis", "abuse")  # crisis first: an immediate risk to life is answered first
NEGATIVE = "not_a_disclosure"
FALLBACK_INTENT = "nlu_fallback"
CHECK_INTENT = "safety_check"
COVERT_INTENT = "covert_monitoring"
SAFETY_DATA_DIR = REPO_ROOT / "data" / "safety"


# The modules that decide what the trained detector is.
DETECTOR_SOURCES = (
    "risk_detector.py",
    "safety_data.py",
    "term_counts.py",
    "linear.py",
    "sentence_embeddings.py",
)


def ordinary_talk(training_data: TrainingData, intents: Sequence[str]) -> list[str]:
    """The training examples of the theme intents: people telling of an affair, lies and
    hurt, long stories included. Without them the detector knew few long harmless stories
    and asked its check question about a fifth of long theme messages (README)."""
    wanted = set(intents)
    return [m.get(TEXT) for m in training_data.intent_examples if m.get(INTENT) in wanted]


# A word right after a denial or idiom that turns it around.
TAKEN_BACK = frozenset({"until", "till", "til", "before", "except"})


class SafetyMatcher:
    """Compiled crisis/abuse/idiom patterns for one spaCy vocabulary."""

    def __init__(self, vocab, spec: dict[str, list[Any]]) -> None:
        from spacy.lang.en import English
        from spacy.matcher import Matcher, PhraseMatcher

        make_doc = English(vocab=vocab).make_doc
        self.matcher = Matcher(vocab)
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        for label in CATEGORIES + (NEGATIVE,):
            patterns = spec.get(label) or []
            token_patterns = [p for p in patterns if isinstance(p, list)]
            phrases = [make_doc(p) for p in patterns if isinstance(p, str)]
            if token_patterns:
                self.matcher.add(label, token_patterns)
            if phrases:
                self.phrases.add(label, phrases)

    def scan(self, doc) -> tuple[set[str], bool]:
        """The categories found (idioms removed) and whether any idiom was found."""
        matches = [
            (doc.vocab.strings[m], s, e)
            for m, s, e in list(self.matcher(doc)) + list(self.phrases(doc))
        ]
        # "he never hit me until last night": a denial followed by "until" or "before" says
        # that it happened after all, so it cancels nothing.
        negatives = [
            (s, e)
            for label, s, e in matches
            if label == NEGATIVE and not (e < len(doc) and doc[e].lower_ in TAKEN_BACK)
        ]
        found = {
            label
            for label, start, end in matches
            if label != NEGATIVE
            and not any(start < n_end and n_start < end for n_start, n_end in negatives)
        }
        return found, bool(negatives)

    def categories(self, doc) -> set[str]:
        return self.scan(doc)[0]


def load_safety_patterns(path: Path) -> dict[str, list[Any]]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(spec) - set(CATEGORIES) - {NEGATIVE}
    if unknown:
        raise ValueError(f"{path}: unknown pattern groups {sorted(unknown)}")
    return spec


def classifier_top(message: Message) -> dict[str, Any] | None:
    """The classifier's first intent, ignoring the fallback that may stand in front of it."""
    ranking = message.get(INTENT_RANKING_KEY) or []
    return next((r for r in ranking if r.get(INTENT_NAME_KEY) != FALLBACK_INTENT), None)


def nlu_category(top: dict[str, Any] | None, min_confidence: float) -> str | None:
    """The safety intent the classifier ranked first, if it is confident enough."""
    if (
        top
        and top[INTENT_NAME_KEY] in CATEGORIES
        and top[PREDICTED_CONFIDENCE_KEY] >= min_confidence
    ):
        return top[INTENT_NAME_KEY]
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "patterns": str(PATTERNS_DIR / "safety.yml"),
            "data": str(SAFETY_DATA_DIR),
            "nlu_min_confidence": 0.0,
            "fallback_threshold": 0.3,
            "ordinary_intents": [],  # intents whose examples are everyday talk, never a disclosure
            **DetectorConfig().__dict__,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the detector's data, its code or the patterns change (Rasa sees none
        of them: a cached detector from older code would otherwise be reused)."""
        digest = hashlib.sha256()
        data = Path(config.get("data") or SAFETY_DATA_DIR)
        code = [Path(__file__).with_name(name) for name in DETECTOR_SOURCES]
        for path in (
            [Path(config.get("patterns") or PATTERNS_DIR / "safety.yml")]
            + sorted(data.glob("*.yml"))
            + code
        ):
            digest.update(path.name.encode() + path.read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        detector: RiskModel | None = None,
    ) -> None:
        self.config = config
        self.spec = load_safety_patterns(Path(config["patterns"]))
        self._matchers: dict[int, SafetyMatcher] = {}
        self._storage, self._resource = model_storage, resource
        self.detector = detector
        # Compile once now so a broken pattern stops the server at start-up, not at the
        # first message (matchers for the real vocabulary are built on first use).
        import spacy

        SafetyMatcher(spacy.blank("en").vocab, self.spec)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = load_dir(Path(self.config["data"]))
        self.detector = RiskModel.train(
            examples + embed_in_stories(examples),
            DetectorConfig.of(self.config),
            ordinary=ordinary_talk(training_data, self.config["ordinary_intents"]),
        )
        with self._storage.write_to(self._resource) as directory:
            self.detector.save(Path(directory))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafetyNet:
        with model_storage.read_from(resource) as directory:
            detector = RiskModel.load(Path(directory))
        net = cls(config, model_storage, resource, detector)
        detector.score("hello")  # load the encoder now, not on the first person's message
        return net

    def matcher_for(self, vocab) -> SafetyMatcher:
        key = id(vocab)
        if key not in self._matchers:
            self._matchers[key] = SafetyMatcher(vocab, self.spec)
        return self._matchers[key]

    def verdict(
        self,
        message: Message,
        scores: dict[str, float] | None = None,
        strongest: dict[str, str] | None = None,
    ) -> dict:
        doc = message.get(SPACY_DOCS[TEXT])
        rules, idiom = self.matcher_for(doc.vocab).scan(doc) if doc is not None else (set(), False)
        top = classifier_top(message)
        # An idiom ("this is killing me") silences the intent classifier, which is easily
        # swayed by the alarming word in it; rules and the detector still see the rest.
        nlu = None if idiom else nlu_category(top, self.config["nlu_min_confidence"])
        text = message.get(TEXT)
        thresholds = (
            {c: t.as_dict() for c, t in self.detector.thresholds.items()} if self.detector else None
        )
        return safety_signal.decide(
            rules=rules,
            nlu=nlu,
            scores=scores,
            thresholds=thresholds,
            minor=says_minor(text),
            covert=asks_covert_monitoring(text),
            classifier=top,
            strongest=strongest,
        )

    def process(self, messages: list[Message]) -> list[Message]:
        # Button payloads ("/choose{...}") carry their intent already.
        texts = [m for m in messages if m.get(TEXT) and not m.get(TEXT).startswith("/")]
        # The whole message was embedded by the featurizer; only its sentences are new here.
        known = {
            m.get(TEXT): m.get(SENTENCE_VECTOR) for m in texts if m.get(SENTENCE_VECTOR) is not None
        }
        scores, strongest = (
            self.detector.assess([m.get(TEXT) for m in texts], known)
            if self.detector
            else (None, None)
        )
        for i, message in enumerate(texts):
            row = (
                dict(zip(CATEGORIES, map(float, scores[i]), strict=False))
                if scores is not None
                else None
            )
            verdict = self.verdict(message, row, strongest[i] if strongest else None)
            message.set("safety", verdict, add_to_output=True)
            if verdict["tier"] == safety_signal.CLEAR:
                self._set_intent(message, verdict["categories"][0])
            elif verdict["tier"] == safety_signal.UNCERTAIN:
                self._set_intent(message, CHECK_INTENT)
            elif verdict["covert"]:
                self._set_intent(message, COVERT_INTENT)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in CATEGORIES:
                self._demote(message)
        return messages

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)

    def _demote(self, message: Message) -> None:
        """Crisis and abuse only ever come from this component: an unsure classifier's
        guess gives way to its next intent, renormalised, or to the fallback (which asks)."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        safety_mass = sum(
            r[PREDICTED_CONFIDENCE_KEY] for r in ranking if r[INTENT_NAME_KEY] in CATEGORIES
        )
        rest = [
            {
                INTENT_NAME_KEY: r[INTENT_NAME_KEY],
                PREDICTED_CONFIDENCE_KEY: r[PREDICTED_CONFIDENCE_KEY] / max(1e-9, 1 - safety_mass),
            }
            for r in ranking
            if r[INTENT_NAME_KEY] not in CATEGORIES and r[INTENT_NAME_KEY] != FALLBACK_INTENT
        ]
        best = rest[0] if rest else None
        if best is None or best[PREDICTED_CONFIDENCE_KEY] < self.config["fallback_threshold"]:
            best = {
                INTENT_NAME_KEY: FALLBACK_INTENT,
                PREDICTED_CONFIDENCE_KEY: self.config["fallback_threshold"],
            }
            rest = [best] + rest
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING_KEY, rest, add_to_output=True)
