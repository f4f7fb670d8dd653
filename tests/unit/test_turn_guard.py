"""The turn guard: which failures it answers, with which response, and that a form's
normal rejection (HTTP 400) is not one of them."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.utils.endpoints import ClientResponseError

from bot import turn_guard
from bot.tracker_store import ConversationStoreUnavailable


class FakeNlg:
    async def generate(self, response, tracker, channel):
        return {"text": response}


class FakeEndpoint:
    def __init__(self, outcome) -> None:
        self.outcome = outcome

    async def request(self, **_):
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


class LoudStore(InMemoryTrackerStore):
    fails_loudly = True


def agent_with(handle, endpoint=None):
    store = FailSafeTrackerStore(LoudStore(None))
    agent = SimpleNamespace(
        domain=SimpleNamespace(slots=[]),
        tracker_store=store,
        processor=SimpleNamespace(nlg=FakeNlg(), action_endpoint=endpoint, tracker_store=store),
    )
    agent.handle_message = handle
    return agent


async def run(agent) -> list[str]:
    turn_guard.install(agent)
    channel = CollectingOutputChannel()
    await agent.handle_message(UserMessage("hello", channel, "person"))
    return [m["text"] for m in channel.messages]


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (
            ConversationStoreUnavailable("read", "OperationalError"),
            "utter_conversation_unavailable",
        ),
        (ConversationStoreUnavailable("write", "timeout"), "utter_conversation_not_kept"),
        (RuntimeError("anything"), "utter_something_went_wrong"),
    ],
)
async def test_a_failed_turn_is_answered(raised, said):
    async def handle(message):
        raise raised

    assert await run(agent_with(handle)) == [said]


@pytest.mark.parametrize(
    ("outcome", "apology"),
    [
        ({"events": [], "responses": []}, False),
        (ClientResponseError(400, "rejected", '{"action_name": "x"}'), False),
        (ClientResponseError(500, "error", "{}"), True),
        (ClientResponseError(401, "unauthorized", "{}"), True),
        (ConnectionRefusedError(), True),
        ("not an object", True),
    ],
)
async def test_an_action_server_failure_ends_with_an_apology(outcome, apology):
    endpoint = FakeEndpoint(outcome)
    agent = None

    async def handle(message):
        with contextlib.suppress(Exception):  # Rasa's processor logs and skips it
            await agent.processor.action_endpoint.request(json={})
        await message.output_channel.send_text_message(message.sender_id, "a reply")

    agent = agent_with(handle, endpoint)
    expected = ["a reply", "utter_something_went_wrong"] if apology else ["a reply"]
    assert await run(agent) == expected


def test_the_fail_safe_wrapper_is_removed_only_for_loud_stores():
    agent = agent_with(None)
    turn_guard.install(agent)
    assert isinstance(agent.tracker_store, LoudStore)
    assert agent.processor.tracker_store is agent.tracker_store
    quiet = agent_with(None)
    quiet.tracker_store = FailSafeTrackerStore(InMemoryTrackerStore(None))
    turn_guard.install(quiet)
    assert isinstance(quiet.tracker_store, FailSafeTrackerStore)
