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
        self.status: str | None = None
        self.confirmed: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()  # any other event
        self.client.on("bot_uttered", self.received.put_nowait)
        self.client.on("session_confirm", self.confirmed.put_nowait)
        self.client.on("*", lambda event, data: self.events.put_nowait((event, data)))

    async def connect(self, url: str, origin: str, session_id: str | None = None, **more) -> str:
        await self.client.connect(url, headers={"Origin": origin}, transports=["polling"])
        return await self.request_session(session_id, **more)

    async def request_session(self, session_id: str | None = None, **more: Any) -> str:
        await self.client.emit("session_request", {"session_id": session_id, **more})
        return await self.next_session()

    async def next_session(self) -> str:
        confirmed = await asyncio.wait_for(self.confirmed.get(), REPLY_SECONDS)
        self.session_id, self.status = confirmed["session_id"], confirmed["status"]
        return self.session_id

    async def say(self, text: Any, session_id: str | None = None, **more: Any) -> dict:
        """Sends a message; returns the server's acknowledgement."""
        body = {"message": text, "session_id": session_id or self.session_id, **more}
        return await self.client.call("user_uttered", body, timeout=REPLY_SECONDS)

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


IDLE_SECONDS = 6  # the test servers' inactivity limit for tab sessions


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    options = {"channel_options": {"session_idle_seconds": IDLE_SECONDS}}
    with WidgetServers.running(tmp_path_factory.mktemp("socketio"), **options) as servers:
        yield servers


@pytest.fixture
async def person(servers):
    person = Person()
    yield person
    await person.leave()


@live
async def test_a_reply_arrives_with_session_persistence(servers, person):
    session_id = await person.connect(servers.url, origin=servers.url)
    assert len(session_id) == 32 and person.status == "new"
    assert await person.say("hi") == {"status": "accepted"}
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
    assert (await person.say(text))["status"] == "refused"
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
async def test_a_session_id_the_server_did_not_issue_opens_nothing(servers):
    owner, guesser = Person(), Person()
    try:
        await owner.connect(servers.url, origin=servers.url)
        for made_up in ["12345678", "0" * 32, "f" * 32, {"x": 1}]:
            assert await guesser.connect(servers.url, servers.url, session_id=made_up) != made_up
            assert guesser.status == ("expired" if isinstance(made_up, str) else "new")
            await guesser.leave()
            guesser = Person()
    finally:
        await owner.leave()
        await guesser.leave()


@live
async def test_a_stolen_conversation_id_is_not_a_token(servers):
    """Replies go to a room named after the conversation, which is not the token: knowing a
    token is the only way in, and the page never learns the conversation id."""
    owner = Person()
    try:
        token = await owner.connect(servers.url, origin=servers.url)
        await owner.say("hi")
        greeting = await owner.wait_for("automated self-help assistant")
        assert all(token not in str(message) for message in greeting)
    finally:
        await owner.leave()


@live
async def test_an_unused_session_expires_and_the_page_is_told(servers):
    person = Person()
    try:
        token = await person.connect(servers.url, origin=servers.url)
        await person.say("i keep checking his phone all the time")
        await person.wait_for("Trust-signs self-check")
        await asyncio.sleep(IDLE_SECONDS + 1)
        assert await person.say("yes") == {"status": "refused", "reason": "session_expired"}
        assert await person.nothing_more()
        assert await person.request_session(token) != token
        assert person.status == "expired"
    finally:
        await person.leave()


@live
async def test_a_session_in_use_does_not_expire(servers, person):
    token = await person.connect(servers.url, origin=servers.url)
    for _ in range(3):
        await asyncio.sleep(IDLE_SECONDS / 2)
        assert await person.say("hi") == {"status": "accepted"}
        await person.wait_for("automated self-help assistant")
    await person.leave()
    again = Person()
    try:
        assert await again.connect(servers.url, origin=servers.url, session_id=token) == token
        assert again.status == "continued"
    finally:
        await again.leave()


@live
async def test_a_remembered_session_outlives_the_tab_limit(servers):
    person = Person()
    try:
        token = await person.connect(servers.url, origin=servers.url, remember=True)
        assert (await person.client.call("remember", {"on": True}))["remembered"] is True
        await person.leave()
        await asyncio.sleep(IDLE_SECONDS + 1)  # past a tab session's limit, not a remembered one
        person = Person()
        assert await person.connect(servers.url, origin=servers.url, session_id=token) == token
        assert person.status == "continued"
    finally:
        await person.leave()


async def delete_my_data(person: Person) -> None:
    await person.say("delete my data")
    await person.wait_for("Are you sure?")
    await person.say("yes")
    await person.wait_for("deleted everything")


@live
async def test_delete_my_data_replaces_the_session_and_ends_the_old_one(servers):
    person, other_tab = Person(), Person()
    try:
        old = await person.connect(servers.url, origin=servers.url)
        assert await other_tab.connect(servers.url, origin=servers.url, session_id=old) == old
        await person.say("i keep checking his phone all the time")
        await person.wait_for("Trust-signs self-check")
        await delete_my_data(person)
        new = await person.next_session()
        assert person.status == "rotated" and new != old
        event = await asyncio.wait_for(other_tab.events.get(), REPLY_SECONDS)
        assert event == ("session_ended", {"reason": "data_deleted"})
        # The old token opens nothing any more; the new one opens a fresh conversation.
        assert await other_tab.say("yes") == {"status": "refused", "reason": "session_expired"}
        assert await other_tab.request_session(old) != old
        await person.say("hi")
        assert await person.wait_for("glad you're here")
    finally:
        await person.leave()
        await other_tab.leave()


@live
async def test_a_resume_code_continues_the_conversation_elsewhere(servers):
    first, second = Person(), Person()
    try:
        await first.connect(servers.url, origin=servers.url)
        await first.say("i keep checking his phone all the time")
        offer = (await first.wait_for("Trust-signs self-check"))[-1]
        code = await first.client.call("resume_code_request", {}, timeout=REPLY_SECONDS)
        assert code["status"] == "ok" and code["valid_days"] == 30
        token = await second.connect(
            servers.url, origin=servers.url, resume_code=code["code"].lower()
        )
        assert second.status == "resumed" and token != first.session_id
        start = next(r["payload"] for r in offer["quick_replies"] if r["title"].startswith("Yes"))
        await second.say(start)  # only means something in the conversation that made the offer
        await second.wait_for("Question 1 of 7")
    finally:
        await first.leave()
        await second.leave()


@live
async def test_wrong_resume_codes_are_refused_and_then_limited(servers, person):
    await person.client.connect(
        servers.url, headers={"Origin": servers.url}, transports=["polling"]
    )
    reasons = []
    for attempt in range(11):
        await person.client.emit("session_request", {"resume_code": f"ABCDE-{attempt:05d}"})
        event, data = await asyncio.wait_for(person.events.get(), REPLY_SECONDS)
        assert event == "resume_refused"
        reasons.append(data["reason"])
        await person.next_session()  # and it still gets a session of its own
    assert reasons == ["unknown_or_expired"] * 10 + ["too_many_attempts"]


@live
async def test_a_message_sent_twice_after_a_reconnect_is_answered_once(servers, person):
    await person.connect(servers.url, origin=servers.url)
    for _ in range(2):
        assert await person.say("hi", message_id="m-1") == {"status": "accepted"}
    await person.wait_for("automated self-help assistant")
    assert await person.nothing_more()


@live
@pytest.mark.parametrize("message", [None, 42, ["hi"], {"text": "hi"}])
async def test_a_message_that_is_not_text_gets_a_clear_reply(servers, person, message):
    await person.connect(servers.url, origin=servers.url)
    assert await person.say(message) == {"status": "refused", "reason": "unreadable"}
    assert (await person.wait_for("couldn't read"))[-1]["text"] == load_texts().message_unreadable


@live
async def test_a_message_far_over_the_limit_gets_a_reply_not_a_dropped_connection(servers, person):
    await person.connect(servers.url, origin=servers.url)
    assert (await person.say("x" * 100_000))["reason"] == "too_long"
    await person.wait_for("longer than I can read")
    assert person.client.connected


@live
async def test_one_bot_message_arrives_as_one_event(servers, person):
    """Rasa's socket.io output split a message at blank lines into several events."""
    await person.connect(servers.url, origin=servers.url)
    await person.say("i keep checking his phone all the time")
    offer = (await person.wait_for("Trust-signs self-check"))[-1]
    assert offer["quick_replies"]  # the offer's text and its buttons in one event
    await person.say("/affirm")
    question = (await person.wait_for("Question 1 of 7"))[-1]
    assert question["text"].startswith("Question 1 of 7\nIn the last month")
