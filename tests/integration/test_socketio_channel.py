"""The widget's socket.io channel (bot/channels/socketio.py).

The `live` tests connect a real python-socketio client to the real Rasa server and action
server, with session persistence on. With Rasa's stock connector (WIDGET_TEST_CHANNEL=socketio)
the first one fails: the socket never joins its room, so the reply goes nowhere.
The client uses the polling transport: its websocket transport needs a newer aiohttp than
Rasa 3.6 allows (the browser tests cover websockets).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio

from bot.widget.content import load_texts
from tests.support.browser import ALLOWED_ORIGIN, MAX_MESSAGE_LENGTH, WidgetServers

live = pytest.mark.live
REPLY_SECONDS = 30
QUIET_SECONDS = 3  # how long "nothing else arrives" is watched for


class Person:
    """One browser tab's worth of socket.io client: connects, asks for a session, chats."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.session_id: str | None = None
        self._confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", self.received.put_nowait)
        self.client.on("session_confirm", self._confirmed.put_nowait)

    async def connect(self, url: str, origin: str, session_id: str | None = None) -> str:
        await self.client.connect(url, headers={"Origin": origin}, transports=["polling"])
        await self.client.emit("session_request", {"session_id": session_id})
        self.session_id = await asyncio.wait_for(self._confirmed.get(), REPLY_SECONDS)
        return self.session_id

    async def say(self, text: str, session_id: str | None = None) -> None:
        await self.client.emit(
            "user_uttered", {"message": text, "session_id": session_id or self.session_id}
        )

    async def wait_for(self, fragment: str) -> list[dict[str, Any]]:
        """Every message received until one whose text contains `fragment`."""
        messages: list[dict[str, Any]] = []
        while not any(fragment in message.get("text", "") for message in messages):
            messages.append(await asyncio.wait_for(self.received.get(), REPLY_SECONDS))
        return messages

    async def nothing_more(self) -> bool:
        try:
            await asyncio.wait_for(self.received.get(), QUIET_SECONDS)
        except asyncio.TimeoutError:
            return True
        return False

    async def leave(self) -> None:
        # abort: do not wait for the pending long-poll, which the server ends only at its next
        # ping (25 s); the server still gets the engine.io CLOSE and forgets the socket.
        await self.client.eio.disconnect(abort=True)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with WidgetServers.running(tmp_path_factory.mktemp("socketio")) as servers:
        yield servers


@pytest.fixture
async def person(servers):
    person = Person()
    yield person
    await person.leave()


@live
async def test_a_reply_arrives_with_session_persistence(servers, person):
    session_id = await person.connect(servers.url, origin=servers.url)
    assert len(session_id) == 32
    await person.say("hi")
    messages = await person.wait_for("automated self-help assistant")
    assert any("not a therapist" in message["text"] for message in messages)


@live
async def test_buttons_reach_the_page_with_title_and_payload(servers, person):
    await person.connect(servers.url, origin=ALLOWED_ORIGIN)
    await person.say("i keep checking his phone all the time")
    offer = (await person.wait_for("Trust-signs self-check"))[-1]
    assert [(reply["title"], reply["payload"][:1]) for reply in offer["quick_replies"]] == [
        ("Yes, let's start", "/"),
        ("Not now", "/"),
    ]


@live
async def test_reconnecting_with_the_same_session_id_continues_the_conversation(servers):
    first = Person()
    session_id = await first.connect(servers.url, origin=servers.url)
    await first.say("i keep checking his phone all the time")
    offer = (await first.wait_for("Trust-signs self-check"))[-1]
    start = next(
        reply["payload"] for reply in offer["quick_replies"] if reply["title"] == "Yes, let's start"
    )
    await first.leave()

    again = Person()
    try:
        assert (
            await again.connect(servers.url, origin=servers.url, session_id=session_id)
            == session_id
        )
        await again.say(start)  # only means something in the conversation that made the offer
        await again.wait_for("Question 1 of 7")
    finally:
        await again.leave()


@live
async def test_a_disallowed_origin_is_refused(servers, person):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await person.connect(servers.url, origin="https://evil.example")


@live
@pytest.mark.parametrize(
    "text, reply",
    [("x" * (MAX_MESSAGE_LENGTH + 1), "too long"), ("   \n ", "empty")],
    ids=["too-long", "empty"],
)
async def test_over_long_and_empty_messages_get_the_channels_own_reply(
    servers, person, text, reply
):
    texts = load_texts()
    expected = texts.too_long(MAX_MESSAGE_LENGTH) if reply == "too long" else texts.message_empty
    await person.connect(servers.url, origin=servers.url)
    await person.say(text)
    assert [message["text"] for message in await person.wait_for(expected[:40])] == [expected]
    assert await person.nothing_more()  # the assistant never saw it


@live
async def test_a_message_cannot_speak_for_another_session(servers):
    owner, intruder = Person(), Person()
    try:
        owner_session = await owner.connect(servers.url, origin=servers.url)
        await intruder.connect(servers.url, origin=servers.url)
        await intruder.say("hi", session_id=owner_session)  # claims the owner's session id
        await intruder.wait_for("automated self-help assistant")
        assert await owner.nothing_more()
    finally:
        await owner.leave()
        await intruder.leave()


@live
async def test_a_session_id_the_server_did_not_issue_is_replaced(servers, person):
    assert (
        await person.connect(servers.url, origin=servers.url, session_id="12345678") != "12345678"
    )
