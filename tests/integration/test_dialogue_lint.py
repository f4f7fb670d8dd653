"""The dialogue lint: whole conversations against the live servers (REST), written as people in
distress write (dialogue_lint_conversations.yml, by someone who did not see the bot's
wording), checked for what breaks a conversation:

- a turn with no reply;
- a message with more than six buttons (it does not fit a phone);
- the same bot message twice in a row, in one turn or across two;
- the same question asked in more than two turns in a row;
- "outside what I can help with" for a relationship message or a number;
- a frequently asked question, in three wordings, not answered with its answer.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from tests.support.live import Chat, LiveServers

pytestmark = pytest.mark.live
HERE = Path(__file__).resolve().parent
CONVERSATIONS = yaml.safe_load((HERE / "dialogue_lint_conversations.yml").read_text())[
    "conversations"
]
QUESTIONS = yaml.safe_load((HERE / "dialogue_lint_questions.yml").read_text())
MAX_BUTTONS = 6
OUT_OF_SCOPE = "outside what I can help with"


@pytest.fixture
def servers(shared_servers: LiveServers) -> LiveServers:
    return shared_servers


def chat(servers: LiveServers) -> Chat:
    return servers.chat(f"lint-{uuid.uuid4().hex[:10]}")


def texts(reply: list[dict]) -> list[str]:
    return [m.get("text") or "" for m in reply if m.get("text")]


def problems_in(turns: list[str], replies: list[list[dict]]) -> list[str]:
    found = []
    previous = None
    asked_in_a_row: dict[str, int] = {}
    for said, reply in zip(turns, replies, strict=True):
        if not reply:
            found.append(f"no reply to {said!r}")
        for message in reply:
            if len(message.get("buttons") or []) > MAX_BUTTONS:
                found.append(f"{len(message['buttons'])} buttons after {said!r}")
        for text in texts(reply):
            if text == previous:
                found.append(f"the same message twice in a row after {said!r}: {text[:60]!r}")
            previous = text
        questions = {t for t in texts(reply) if t.rstrip().endswith("?")}
        asked_in_a_row = {q: asked_in_a_row.get(q, 0) + 1 for q in questions}
        found += [
            f"asked three times in a row: {q[:60]!r}" for q, n in asked_in_a_row.items() if n > 2
        ]
    return found


@pytest.mark.parametrize(
    "conversation",
    CONVERSATIONS,
    ids=lambda c: c["name"],
)
def test_a_whole_conversation_keeps_the_thread(servers, conversation):
    person = chat(servers)
    replies = [person.say(turn) for turn in conversation["turns"]]
    assert not problems_in(conversation["turns"], replies)


@pytest.mark.parametrize("message", QUESTIONS["relationship_messages"] + QUESTIONS["numbers"])
def test_a_relationship_message_or_a_number_is_never_out_of_scope(servers, message):
    person = chat(servers)
    person.say("hi")
    assert OUT_OF_SCOPE not in person.say(message) and OUT_OF_SCOPE not in person.text


FAQ_CASES = [
    (topic, wording) for topic, wordings in QUESTIONS["faq"].items() for wording in wordings
]


# The wordings were written blind (a session that never saw the FAQ training examples), so
# this measures, it does not tune: the share answered is printed on every run and may not
# fall below the floor (first 64 % on 2026-12-02; 78.8 % of 132 on the morning of 2026-12-03;
# 78.0-78.6 % of 168 with the nine direct-advice topics, from one training to the next).
# Raise FAQ_FLOOR as it grows; the aim is every wording.
FAQ_FLOOR = 0.77


# A question that is also a request gets what it asks for: "am I talking to a person?" the
# disclosure, "how do I delete everything?" the delete confirmation. That answers it too.
ALSO_ANSWERED_BY = {
    "is_it_a_person": "utter_disclosure",
    "is_it_ai": "utter_disclosure",
    "is_it_therapist": "utter_disclosure",
    "export": "utter_data_export",
    "how_to_delete": "utter_confirm_delete",
    "can_it_remind_me": "utter_ask_reminder_day",
    "what_can_you_do": "utter_topic_stages",
}


def answered(person: Chat, topic: str, faq_answers: dict[str, str]) -> bool:
    also = ALSO_ANSWERED_BY.get(topic)
    return faq_answers[topic] in person.text or bool(also and person.said(also))


def test_blind_faq_wordings_get_their_answer(servers, faq_answers):
    missed = []
    for topic, wording in FAQ_CASES:
        person = chat(servers)
        person.say("hi")
        person.say(wording)
        if not answered(person, topic, faq_answers):
            missed.append(f"{topic}: {wording!r} -> {person.text[:80]!r}")
    share = 1 - len(missed) / len(FAQ_CASES)
    print(f"\nblind FAQ wordings answered: {share:.1%} of {len(FAQ_CASES)}")
    print("\n".join(missed))
    assert share >= FAQ_FLOOR, f"{share:.1%} answered, floor {FAQ_FLOOR:.0%}"


@pytest.mark.parametrize(
    "topic, wording",
    [
        (topic, wording)
        for topic, wordings in QUESTIONS["faq_checks"].items()
        for wording in wordings
    ],
)
def test_every_faq_topic_is_answered_in_three_wordings(servers, faq_answers, topic, wording):
    person = chat(servers)
    person.say("hi")
    person.say(wording)
    assert answered(person, topic, faq_answers), person.text[:160]


@pytest.fixture(scope="module")
def faq_answers() -> dict[str, str]:
    """The first sentence of each FAQ answer, as the domain has it."""
    domain = yaml.safe_load((HERE.parent.parent / "domain.yml").read_text())
    return {
        name.split("/", 1)[1]: variations[0]["text"].split(". ")[0]
        for name, variations in domain["responses"].items()
        if name.startswith("utter_faq/")
    }
