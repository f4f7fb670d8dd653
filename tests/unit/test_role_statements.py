"""Role statements have one home, the entity patterns: the spaCy pipeline built from
bot/patterns/entities.yml finds them, and the role question reads that entity as its answer."""

from __future__ import annotations

import pytest
import spacy

from actions.dialogue.fixed_questions import options_for
from actions.dialogue.reading import Expectation, Reply, read
from bot.paths import REPO_ROOT

ROLE_QUESTION = Expectation("choice", options_for("role"), controls=True, entity="role")


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(REPO_ROOT / "build" / "spacy" / "en_trust")


@pytest.mark.parametrize(
    "said, role",
    [
        ("i was the one who was hurt", "hurt"),
        ("i got hurt", "hurt"),
        ("i was cheated on", "hurt"),
        ("he cheated", "hurt"),
        ("my partner lied to me for years", "hurt"),
        ("im the one who got hurt", "hurt"),
        ("i broke the trust", "broke_trust"),
        ("i cheated", "broke_trust"),
        ("i had the affair", "broke_trust"),
        ("i'm the one who broke it", "broke_trust"),
        ("i hurt her", "broke_trust"),
        ("i screwed up", "broke_trust"),
        ("my wife found out about the affair", "broke_trust"),
        ("my husband discovered the messages last week", "broke_trust"),
        ("she found out about my lies", "broke_trust"),
        ("he caught me texting my ex", "broke_trust"),
        ("i got caught", "broke_trust"),
        ("since my affair came out", "broke_trust"),
        ("i slept with a coworker for three months", "broke_trust"),
        ("i hid a credit card and about 6k of debt", "broke_trust"),
        ("i've been hiding money from her for a year", "broke_trust"),
        ("i kept the debt secret", "broke_trust"),
        ("i kept secrets from him", "broke_trust"),
    ],
)
def test_a_role_statement_is_found_and_answers_the_role_question(nlp, said, role):
    found = {(e.label_, e.ent_id_) for e in nlp(said).ents if e.label_ == "role"}
    assert found == {("role", role)}
    reply = Reply(said, intent="trust_breach", confidence=0.9, entities=tuple(found))
    assert read(reply, ROLE_QUESTION).value == role


def test_two_different_roles_in_one_reply_are_not_guessed():
    reply = Reply(
        "he cheated and then i lied about it", entities=(("role", "hurt"), ("role", "broke_trust"))
    )
    assert read(reply, ROLE_QUESTION).kind != "answer"


@pytest.mark.parametrize(
    "said",
    [
        "i hid in the bathroom and cried",
        "i kept asking him where he was",
        "i kept quiet about how hurt i was",
    ],
)
def test_words_near_a_role_statement_say_no_role(nlp, said):
    assert not [e for e in nlp(said).ents if e.label_ == "role"]
