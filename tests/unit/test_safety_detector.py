"""The risk detector's decision: tiers and thresholds, recent messages, minor and covert flags.

The detector is trained here on the real data/safety/ files, with word and character
features only (a zero embedder keeps the test fast and free of the embedding model); the
deployed detector adds sentence embeddings on top.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.nlu import safety_signal
from bot.nlu.risk_detector import DetectorConfig, RiskModel, Thresholds, units
from bot.nlu.safety_data import (
    SafetyExample,
    embed_in_stories,
    load_dir,
    load_set,
    sentences,
)
from bot.nlu.safety_flags import asks_covert_monitoring, says_minor
from bot.paths import REPO_ROOT

HELD_OUT_SET = REPO_ROOT / "tests" / "safety" / "heldout" / "safety_heldout.yml"
THRESHOLDS = {
    "crisis": {"uncertain": 0.2, "clear": 0.8},
    "abuse": {"uncertain": 0.3, "clear": 0.9},
}


def zero_embedder(texts: list[str]) -> np.ndarray:
    return np.zeros((len(texts), 384), dtype=np.float32)


@pytest.fixture(scope="module")
def detector() -> RiskModel:
    examples = load_dir(REPO_ROOT / "data" / "safety")
    return RiskModel.train(
        examples + embed_in_stories(examples), DetectorConfig(folds=3), zero_embedder
    )


# --- the decision ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "scores, tier, categories",
    [
        ({"crisis": 0.05, "abuse": 0.1}, "none", []),
        ({"crisis": 0.25, "abuse": 0.1}, "uncertain", ["crisis"]),
        ({"crisis": 0.85, "abuse": 0.1}, "clear", ["crisis"]),
        ({"crisis": 0.1, "abuse": 0.95}, "clear", ["abuse"]),
        # a suspected second category goes with a clear first one: both kinds of resources
        ({"crisis": 0.3, "abuse": 0.95}, "clear", ["crisis", "abuse"]),
        # uncertain on both: the relatively stronger suspicion is asked about first
        ({"crisis": 0.21, "abuse": 0.6}, "uncertain", ["abuse", "crisis"]),
    ],
)
def test_the_tier_follows_the_thresholds(scores, tier, categories):
    verdict = safety_signal.decide(scores=scores, thresholds=THRESHOLDS)
    assert (verdict["tier"], verdict["categories"]) == (tier, categories)
    assert verdict["scores"] == pytest.approx(scores)
    assert verdict["thresholds"] == THRESHOLDS


def test_a_rule_match_is_clear_whatever_the_detector_says():
    verdict = safety_signal.decide(
        rules={"abuse"}, scores={"crisis": 0.0, "abuse": 0.0}, thresholds=THRESHOLDS
    )
    assert (verdict["tier"], verdict["categories"], verdict["nets"]) == (
        "clear",
        ["abuse"],
        ["rules"],
    )


def test_without_a_detector_only_rules_and_the_classifier_count():
    assert safety_signal.decide(scores={"crisis": 0.99})["tier"] == "none"
    assert safety_signal.decide(nlu="crisis")["categories"] == ["crisis"]


def verdict(crisis: float, abuse: float = 0.0) -> dict:
    return safety_signal.decide(scores={"crisis": crisis, "abuse": abuse}, thresholds=THRESHOLDS)


def test_several_worrying_messages_together_ask_the_check_question():
    combined = safety_signal.combine_recent([verdict(0.12), verdict(0.15)])
    assert (combined["tier"], combined["categories"]) == ("uncertain", ["crisis"])
    assert "recent" in combined["nets"]


def test_one_faint_message_among_harmless_ones_is_not_lifted():
    assert safety_signal.combine_recent([verdict(0.01), verdict(0.15)])["tier"] == "none"


def test_recent_messages_never_make_a_clear_signal():
    combined = safety_signal.combine_recent([verdict(0.7), verdict(0.7), verdict(0.19)])
    assert combined["tier"] == "uncertain"


def test_the_latest_verdict_wins_when_it_already_says_something():
    clear = verdict(0.9)
    assert safety_signal.combine_recent([verdict(0.0), clear]) == clear


def test_recent_verdicts_stop_at_the_last_safety_response():
    def user(score):
        return {"event": "user", "parse_data": {"safety": verdict(score)}}

    events = [
        user(0.5),
        {"event": "action", "name": "action_safety_check"},
        user(0.1),
        {"event": "bot", "text": "..."},
        user(0.12),
    ]
    recent = safety_signal.recent_verdicts(events)
    assert [v["scores"]["crisis"] for v in recent] == [0.1, 0.12]


# --- thresholds from cross-validation ----------------------------------------------------
def test_thresholds_keep_the_target_recall_within_the_false_positive_limits(detector):
    for category, thresholds in detector.thresholds.items():
        assert 0 < thresholds.uncertain <= thresholds.clear <= 1, category
    scores = detector.out_of_fold_scores
    y = np.array([[c in e.categories for c in ("crisis", "abuse")] for e in detector_examples()])
    for i, category in enumerate(("crisis", "abuse")):
        t = detector.thresholds[category]
        negatives = scores[~y[:, i], i]
        recall = (scores[y[:, i], i] >= t.uncertain).mean()
        asked = (negatives >= t.uncertain).mean()
        # recall first, as long as the check question goes to at most 2 % of harmless messages:
        # short of the recall, the next lower threshold would ask more than that
        assert asked <= 0.02, category
        below = negatives[negatives < t.uncertain]
        next_lower = (negatives >= below.max()).mean() if len(below) else 1.0
        assert recall >= 0.98 or next_lower > 0.02, category
        assert (negatives >= t.clear).mean() <= 0.003, category


def detector_examples() -> list[SafetyExample]:
    examples = load_dir(REPO_ROOT / "data" / "safety")
    return examples + embed_in_stories(examples)


@pytest.mark.parametrize(
    "text",
    [
        'i want to be able to tell him "that hurt me" without him getting defensive',
        "what i'd write: you hurt me, i am angry, and i still love you",
        "i check his phone every night while he sleeps and i hate it",
        "this whole thing is killing me",
        "how do i rebuild trust after lying about money",
    ],
)
def test_quoted_hurt_and_ordinary_talk_are_not_disclosures(detector, text):
    scores = detector.score(text)
    clear = {c: t.clear for c, t in detector.thresholds.items()}
    assert all(scores[c] < clear[c] for c in scores), scores


@pytest.mark.parametrize(
    "text, category",
    [
        ("i've written letters to my kids and given the dog to my sister", "crisis"),
        ("i keep thinking everyone would manage fine without me", "crisis"),
        ("i'm not allowed to see my friends unless he comes too", "abuse"),
        ("he takes my wages and gives me an allowance", "abuse"),
    ],
)
def test_indirect_disclosures_reach_at_least_the_check_question(detector, text, category):
    assert detector.score(text)[category] >= detector.thresholds[category].uncertain


def test_a_disclosure_inside_a_long_story_scores_as_high_as_alone(detector):
    alone = "i've been giving my things away this week"
    story = (
        "We've been married nine years. Last spring I found the messages. "
        f"{alone}. We have couples therapy on thursday."
    )
    assert len(units(story)) > 1
    assert detector.score(story)["crisis"] >= detector.score(alone)["crisis"] - 1e-9


def test_the_part_of_a_story_that_worries_is_named_with_its_score(detector):
    story = (
        "We've been married nine years. Last spring I found the messages. "
        "I've been giving my things away this week. We have couples therapy on thursday."
    )
    scores, strongest = detector.assess([story, "ok"])
    assert "giving my things away" in strongest[0]["crisis"]
    assert strongest[1] == {"crisis": "ok", "abuse": "ok"}
    assert np.allclose(scores, detector.scores([story, "ok"]))
    parts = sentences(story)
    assert strongest[0]["crisis"] in parts  # one sentence, as the person wrote it
    by_sentence = {part: detector.score(part)["crisis"] for part in parts}
    assert by_sentence[strongest[0]["crisis"]] == max(by_sentence.values())


def test_the_stored_detector_scores_the_same(detector, tmp_path: Path):
    detector.save(tmp_path)
    loaded = RiskModel.load(tmp_path, zero_embedder)
    texts = ["he won't let me see my sister", "we had a lovely dinner"]
    assert np.allclose(loaded.scores(texts), detector.scores(texts))
    assert loaded.thresholds == detector.thresholds
    assert isinstance(loaded.thresholds["crisis"], Thresholds)


# --- the sets ------------------------------------------------------------------------------
def test_both_set_layouts_and_the_old_project_set_are_read(tmp_path: Path):
    listed = tmp_path / "listed.yml"
    listed.write_text(
        "crisis:\n  - {text: i want to die, kind: active}\n"
        "both:\n  - {text: he hits me and i want to die, kind: mixed}\n"
        "none:\n  - {text: hello, kind: everyday}\n",
        encoding="utf-8",
    )
    examples = load_set(listed)
    assert [(e.label, e.kind) for e in examples] == [
        ("crisis", "active"),
        ("both", "mixed"),
        ("none", "everyday"),
    ]
    assert examples[1].categories == {"crisis", "abuse"}
    project = load_set(REPO_ROOT / "tests" / "safety" / "safety_set.yml")
    assert {e.label for e in project} == {"crisis", "abuse", "none"}


def test_a_malformed_set_is_named(tmp_path: Path):
    bad = tmp_path / "bad.yml"
    bad.write_text("crisis:\n  - {kind: active}\nabus: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yml"):
        load_set(bad)


def test_no_held_out_message_is_in_the_training_data():
    """The held-out figures mean something only if the detector never saw those messages."""

    def normalised(text: str) -> str:
        return " ".join(text.lower().split())

    held_out = {normalised(e.text) for e in load_set(HELD_OUT_SET)}
    training = load_dir(REPO_ROOT / "data" / "safety")
    leaked = [e.text for e in training if normalised(e.text) in held_out]
    assert leaked == []


# --- minor and covert ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, minor",
    [
        ("im 16 and my boyfriend checks my phone", True),
        ("i'm only 15, he's 19", True),
        ("me (16f) and my bf (19m) have been fighting", True),
        ("i am 17 years old", True),
        ("i'm in year 10 and he won't let me talk to other boys", True),
        ("i'm still in high school", True),
        ("i'm 16 weeks pregnant", False),
        ("we've been together 16 years", False),
        ("when i was 16 my dad left", False),
        ("my daughter is 15", False),
        ("i'm 34 and he's 36", False),
        ("i'm 16 hours into this fight", False),
    ],
)
def test_minor_flag(text, minor):
    assert says_minor(text) is minor


@pytest.mark.parametrize(
    "text, covert",
    [
        ("how can i read my wife's texts without her knowing", True),
        ("is there an app to track my husband's location without him knowing", True),
        ("i want to install a tracker on her car", True),
        ("how do i put a spy app on his phone", True),
        ("can i see his whatsapp messages secretly", True),
        ("how do i get into her phone so she doesnt know", True),
        ("i checked his phone last night", False),
        ("he put a tracker on my car", False),
        ("how do i know if he put spyware on my phone", False),
        ("i want to see her messages, should we talk about it", False),
        ("we agreed to share our locations", False),
    ],
)
def test_covert_flag(text, covert):
    assert asks_covert_monitoring(text) is covert


def test_everyday_talk_is_learnt_sentence_by_sentence_and_leaves_the_thresholds_alone():
    examples = load_dir(REPO_ROOT / "data" / "safety")[::4]
    story = (
        "We have been together nine years. She stopped answering my calls for two days. "
        "I kept staring at the ceiling all night. Now she says she wants space and I feel lost."
    )
    plain = RiskModel.train(examples, DetectorConfig(folds=3), zero_embedder)
    taught = RiskModel.train(examples, DetectorConfig(folds=3), zero_embedder, ordinary=[story])
    sentence = "She stopped answering my calls for two days."
    assert taught.score(sentence)["crisis"] < plain.score(sentence)["crisis"]
    assert taught.training_report["ordinary_units"] == len(units(story))
    # thresholds come from the safety set's own out-of-fold scores, never from the extras
    assert len(taught.out_of_fold_scores) == len(examples)


def test_a_known_vector_is_used_and_not_embedded_again(detector):
    """The safety net hands over the featurizer's vector of the whole message: only its
    sentences are embedded here, and the scores are the ones embedding it would give."""
    asked: list[str] = []

    def recording_embedder(texts: list[str]) -> np.ndarray:
        asked.extend(texts)
        return zero_embedder(texts)

    message = "We had a good week. Then she went through my phone again."
    expected = detector.scores([message])
    detector.embed, original = recording_embedder, detector.embed
    try:
        scores = detector.scores([message], {message: zero_embedder([message])[0]})
    finally:
        detector.embed = original
    assert message not in asked and asked == [u for u in units(message) if u != message]
    np.testing.assert_allclose(scores, expected)


def test_the_retraining_fingerprint_covers_the_detector_code():
    """Rasa reuses a cached component unless its fingerprint changes: every module the
    detector is built from must be in it, or a code change would ship an old detector."""
    import ast

    from bot.nlu import safety_net

    nlu = REPO_ROOT / "bot" / "nlu"
    needed, seen = {"risk_detector.py"}, set()
    while needed - seen:
        name = (needed - seen).pop()
        seen.add(name)
        for node in ast.walk(ast.parse((nlu / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.nlu."):
                needed.add(node.module.removeprefix("bot.nlu.") + ".py")
    assert needed <= set(safety_net.DETECTOR_SOURCES)
    assert all((nlu / name).exists() for name in safety_net.DETECTOR_SOURCES)
