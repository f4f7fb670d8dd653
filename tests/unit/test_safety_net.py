"""The rule-based safety net and how it combines with the classifier."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.risk_detector import Thresholds
from bot.nlu.safety_net import SafetyNet
from bot.paths import SPACY_PIPELINE_DIR


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    if not (SPACY_PIPELINE_DIR / "meta.json").exists():
        pytest.fail("the spaCy pipeline is not built: run `make spacy`")
    return spacy.load(SPACY_PIPELINE_DIR)


@pytest.fixture(scope="module")
def net():
    return SafetyNet({**SafetyNet.get_default_config(), "nlu_min_confidence": 0.8})


def message(nlp, text, intent="setback", confidence=0.9):
    ranking = [
        {"name": intent, "confidence": confidence},
        {"name": "forgiveness", "confidence": 0.05},
    ]
    msg = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})
    msg.set(SPACY_DOCS["text"], nlp(text))
    return msg


@pytest.mark.parametrize(
    "text, category",
    [
        ("i keep thinking about killing myself", "crisis"),
        ("honestly i dont wanna be alive anymore", "crisis"),
        ("i cut myself again last night", "crisis"),
        ("he hit me when i asked about the texts", "abuse"),
        ("she threatened to take the kids if i leave", "abuse"),
        ("he takes my whole paycheck and gives me an allowance", "abuse"),
        ("i'm terrified of what he'll do when he gets home", "abuse"),
        # a negation that is not a denial
        ("i can't stop thinking about killing myself", "crisis"),
        ("i don't want to kill myself but i don't want to live either", "crisis"),
        ("i wrote a letter to my kids explaining why", "crisis"),
        # a denial taken back by what follows it
        ("he never hit me until last night", "abuse"),
    ],
)
def test_disclosures_are_caught_by_the_rules(nlp, net, text, category):
    msg = message(nlp, text)
    net.process([msg])
    assert msg.get("intent")["name"] == category
    assert "rules" in msg.get("safety")["nets"]


@pytest.mark.parametrize(
    "text",
    [
        "this is killing me",
        "i could kill him for forgetting our anniversary",
        "i'd die for a holiday right now",
        "he hit the gym every day this week",
        "i'm scared he'll cheat again",
        "i keep checking his phone and i hate it",
        # the writer's own plain denial, and idioms
        "before you ask, no i'm not thinking of killing myself lol. i'm just angry",
        "i don't want to hurt myself, i just want this feeling to stop",
        "i'm not going to end my life over a man. i have too much to live for",
        "i'm not scared of him. he's a coward, that's all",
        "i don't feel unsafe at home. he moved out anyway",
        "to be clear he has never hit me. he just goes quiet for days",
        "i bombed the interview, career suicide lol",
        "can you help me write a letter to my husband about how i feel?",
    ],
)
def test_everyday_words_are_not_disclosures(nlp, net, text):
    msg = message(nlp, text)
    net.process([msg])
    assert msg.get("intent")["name"] == "setback"
    assert msg.get("safety")["tier"] == "none"
    assert msg.get("safety")["categories"] == []


def test_a_confident_classifier_is_the_second_net(nlp, net):
    msg = message(
        nlp, "everything feels pointless and heavy lately", intent="crisis", confidence=0.93
    )
    net.process([msg])
    assert msg.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert msg.get("safety")["nets"] == ["nlu"]
    assert msg.get("safety")["classifier"]["confidence"] == 0.93


def test_an_unsure_classifier_or_an_idiom_does_not_trigger(nlp, net):
    unsure = message(nlp, "everything feels heavy lately", intent="crisis", confidence=0.5)
    idiom = message(nlp, "this is killing me", intent="crisis", confidence=0.95)
    net.process([unsure, idiom])
    assert unsure.get("safety")["tier"] == idiom.get("safety")["tier"] == "none"
    assert unsure.get("intent")["name"] != "crisis" and idiom.get("intent")["name"] != "crisis"


def test_the_rules_win_over_the_classifier_and_the_fallback(nlp, net):
    msg = message(nlp, "he choked me and i'm scared", intent="nlu_fallback", confidence=0.3)
    net.process([msg])
    assert msg.get("intent")["name"] == "abuse"
    assert msg.get("intent_ranking")[0] == {"name": "abuse", "confidence": 1.0}


def test_button_payloads_are_left_alone(nlp, net):
    msg = message(nlp, '/choose{"choice":"often"}', intent="choose")
    net.process([msg])
    assert msg.get("intent")["name"] == "choose"


def test_an_unsure_safety_guess_gives_way_to_the_next_intent(nlp, net):
    msg = Message(
        data={
            "text": "he threw me a surprise party",
            "intent": {"name": "abuse", "confidence": 0.6},
            "intent_ranking": [
                {"name": "abuse", "confidence": 0.6},
                {"name": "appreciation_respect", "confidence": 0.3},
                {"name": "setback", "confidence": 0.1},
            ],
        }
    )
    msg.set(SPACY_DOCS["text"], nlp(msg.get("text")))
    net.process([msg])
    assert msg.get("intent")["name"] == "appreciation_respect"
    assert msg.get("intent")["confidence"] == pytest.approx(0.75)
    assert [r["name"] for r in msg.get("intent_ranking")] == ["appreciation_respect", "setback"]


def test_a_demoted_guess_with_no_clear_runner_up_asks(nlp, net):
    msg = Message(
        data={
            "text": "he held me",
            "intent": {"name": "abuse", "confidence": 0.7},
            "intent_ranking": [
                {"name": "abuse", "confidence": 0.7},
                {"name": "setback", "confidence": 0.05},
                {"name": "greet", "confidence": 0.05},
            ],
        }
    )
    msg.set(SPACY_DOCS["text"], nlp(msg.get("text")))
    net.process([msg])
    assert msg.get("intent")["name"] == "nlu_fallback"
    assert msg.get("intent_ranking")[1]["name"] == "setback"


class StubDetector:
    """Fixed scores per text, with the thresholds a trained detector would carry."""

    thresholds = {"crisis": Thresholds(0.3, 0.8), "abuse": Thresholds(0.3, 0.8)}

    def __init__(self, scores: dict[str, tuple[float, float]]) -> None:
        self.table = scores

    def assess(self, texts, known=None):
        scores = np.array([self.table.get(text, (0.0, 0.0)) for text in texts])
        return scores, [{"crisis": text, "abuse": text} for text in texts]


@pytest.fixture
def net_with(nlp):
    def build(scores):
        config = {**SafetyNet.get_default_config(), "nlu_min_confidence": 0.8}
        return SafetyNet(config, detector=StubDetector(scores))

    return build


def test_an_uncertain_detector_signal_asks_the_check_question(nlp, net_with):
    text = "some days i wonder what the point of any of it is"
    msg = message(nlp, text)
    net_with({text: (0.5, 0.1)}).process([msg])
    assert msg.get("intent") == {"name": "safety_check", "confidence": 1.0}
    verdict = msg.get("safety")
    assert (verdict["tier"], verdict["categories"], verdict["nets"]) == (
        "uncertain",
        ["crisis"],
        ["detector"],
    )
    assert verdict["scores"] == {"crisis": 0.5, "abuse": 0.1}
    assert verdict["thresholds"]["crisis"] == {"uncertain": 0.3, "clear": 0.8}


def test_a_clear_detector_signal_is_the_disclosure_itself(nlp, net_with):
    text = "he decides who i can see and checks every receipt"
    msg = message(nlp, text)
    net_with({text: (0.1, 0.95)}).process([msg])
    assert msg.get("intent")["name"] == "abuse"
    assert msg.get("safety")["tier"] == "clear"


def test_a_covert_monitoring_request_is_named_as_such(nlp, net_with):
    msg = message(nlp, "how can i read my husband's texts without him knowing")
    net_with({}).process([msg])
    assert msg.get("intent")["name"] == "covert_monitoring"
    assert msg.get("safety")["covert"] is True


def test_a_minor_is_flagged_beside_the_disclosure(nlp, net_with):
    msg = message(nlp, "im 15 and my boyfriend hit me")
    net_with({}).process([msg])
    assert msg.get("intent")["name"] == "abuse"
    assert msg.get("safety")["minor"] is True
