"""The Telegram webhook's durable accept and the outbox worker, in process: real connectors
(one or two "instances") on a temporary SQLite app database, a stand-in for Rasa's turn, and
the fake Bot API answering 429s, 5xx, hanging or refusing. The tests assert on the Bot API
calls the fake received."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sqlalchemy.exc import OperationalError

from actions.persistence.database import Database
from bot.channels.telegram.connector import TelegramInput
from bot.channels.telegram.outbox import OutboxSettings
from bot.channels.telegram.settings import TelegramSettings, connector_texts
from bot.channels.telegram.store import TelegramStore
from tests.support.fake_telegram_api import FakeTelegramApi
from tests.support.telegram_outbox import until_idle
from tests.support.telegram_updates import (
    SECRET,
    TOKEN,
    callback_update,
    chat,
    message,
    text_update,
    update,
)

TEXTS = connector_texts()
FAST = OutboxSettings(max_wait=20, retry_base=0.05, retry_cap=0.2, lease=1.5, poll=0.05)
REPLY = ["1 not a person, not a therapist", "2 the question", "3 after the question"]


class Assistant:
    """Stands in for Rasa: every turn answers with three messages, the second with buttons."""

    def __init__(self) -> None:
        self.turns: list[tuple[str, str]] = []

    async def __call__(self, message: UserMessage) -> None:
        self.turns.append((message.sender_id, message.text))
        out = message.output_channel
        await out.send_response(message.sender_id, {"text": REPLY[0]})
        buttons = [{"title": "Skip this", "payload": "/skip"}, {"title": "Pause", "payload": "/p"}]
        await out.send_response(message.sender_id, {"text": REPLY[1], "buttons": buttons})
        await out.send_response(message.sender_id, {"text": REPLY[2]})


class Instance:
    """One Rasa instance's Telegram connector, started as the server would start it."""

    def __init__(
        self,
        url: str,
        api: FakeTelegramApi,
        assistant: Assistant,
        api_timeout: float = 0.5,
        **settings: Any,
    ) -> None:
        self.connector = TelegramInput(
            TelegramSettings(TOKEN, SECRET, "", api.base_url, api_timeout=api_timeout),
            outbox=OutboxSettings(**{**FAST.__dict__, **settings}),
            store=TelegramStore(Database(url)),
        )
        self.assistant = assistant

    def start(self) -> Instance:
        self.connector._on_server_start(SimpleNamespace(ctx=SimpleNamespace()), self.assistant)
        return self

    async def post(self, body: dict[str, Any]) -> int:
        return await self.connector._accept(body)

    async def stop(self) -> None:
        await self.connector.worker.stop()
        await self.connector.client.close()


@pytest.fixture
def assistant() -> Assistant:
    return Assistant()


@pytest.fixture
def url(request, sqlite_url) -> str:
    """SQLite, or PostgreSQL for the tests parametrised with SHARED (what several instances
    share in production)."""
    if getattr(request, "param", "sqlite") == "postgres":
        return request.getfixturevalue("postgres_url")
    return sqlite_url


SHARED = pytest.mark.parametrize(
    "url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
async def instances(url, fake_api, assistant) -> AsyncIterator[Callable[..., Instance]]:
    started: list[Instance] = []

    def start(**settings: Any) -> Instance:
        instance = Instance(url, fake_api, assistant, **settings).start()
        started.append(instance)
        return instance

    yield start
    for instance in started:
        if not instance.connector.worker._stopping:
            await instance.stop()


_chats = iter(range(900_000, 999_999))


@pytest.fixture
def chat_id() -> int:
    return next(_chats)


idle = until_idle


def statuses(api: FakeTelegramApi, chat_id: int, method: str = "sendMessage") -> list[int]:
    return [
        call.status
        for call in api.calls_to(method)
        if str(call.params.get("chat_id")) == str(chat_id)
    ]


# --- durable accept ------------------------------------------------------------------------
async def test_the_webhook_answers_at_once_and_a_sustained_rate_limit_is_waited_out(
    instances, fake_api, url, chat_id
):
    bot = instances()
    await asyncio.to_thread(bot.connector.store.ready)  # migrated, as at any later update
    fake_api.fail_next("sendMessage", 429, retry_after=1, times=3)
    assert await bot.post(text_update(chat_id, "hi")) == 200
    assert fake_api.delivered_texts(chat_id) == []  # answered before the 3 s of waiting
    await idle(url)
    assert fake_api.delivered_texts(chat_id) == REPLY
    assert statuses(fake_api, chat_id) == [429, 429, 429, 200, 200, 200]


async def test_a_burst_of_server_errors_is_retried_and_each_message_arrives_once(
    instances, fake_api, url, chat_id
):
    bot = instances()
    fake_api.fail_next("sendMessage", 502, times=4)
    await bot.post(text_update(chat_id, "hi"))
    await idle(url)
    assert fake_api.delivered_texts(chat_id) == REPLY
    assert statuses(fake_api, chat_id)[:5] == [502, 502, 502, 502, 200]


async def test_a_hanging_request_is_tried_again_and_the_reply_arrives_once(
    instances, fake_api, url, chat_id
):
    bot = instances()
    fake_api.hang_next("sendMessage", seconds=3)
    await bot.post(text_update(chat_id, "hi"))
    await idle(url)
    assert fake_api.delivered_texts(chat_id) == REPLY
    assert statuses(fake_api, chat_id) == [0, 200, 200, 200]


async def test_when_the_first_message_cannot_be_sent_the_rest_of_the_reply_never_goes_alone(
    instances, fake_api, url, chat_id, caplog
):
    bot = instances(max_wait=2)
    fake_api.fail_next("sendMessage", 429, retry_after=60)  # beyond the bound: given up
    with caplog.at_level(logging.INFO, logger="bot.channels"):
        await bot.post(text_update(chat_id, "my husband cheated on me"))
        await idle(url)
    assert fake_api.delivered_texts(chat_id) == []
    assert statuses(fake_api, chat_id) == [429]
    give_up = [r.getMessage() for r in caplog.records if "gave up" in r.getMessage()]
    assert len(give_up) == 1 and "chat #" in give_up[0] and "3 queued call(s) dropped" in give_up[0]
    assert str(chat_id) not in caplog.text and "cheated" not in caplog.text
    assert "not a therapist" not in caplog.text


async def test_a_message_refused_for_good_is_given_up_with_the_rest_of_its_reply_only(
    instances, fake_api, url, chat_id
):
    bot = instances()
    fake_api.fail_next("sendMessage", 400)
    await bot.post(text_update(chat_id, "hi"))
    await idle(url)
    await bot.post(text_update(chat_id, "hello again"))
    await idle(url)
    assert fake_api.delivered_texts(chat_id) == REPLY  # only the second turn's reply


async def test_a_blocked_bot_drops_the_chats_queue(instances, fake_api, url, chat_id):
    bot = instances()
    fake_api.fail_next("sendMessage", 403)
    await bot.post(text_update(chat_id, "hi"))
    await idle(url)
    assert statuses(fake_api, chat_id) == [403]


@SHARED
async def test_replies_still_queued_at_a_restart_are_delivered_once_in_order(
    instances, fake_api, url, chat_id
):
    first = instances()
    fake_api.fail_next("sendMessage", 429, retry_after=2)
    await first.post(text_update(chat_id, "hi"))
    await first.post(text_update(chat_id, "second message"))
    await asyncio.sleep(0.5)
    await first.stop()  # mid-wait, with both replies queued
    assert fake_api.delivered_texts(chat_id) == []
    instances()  # the restarted server finds the queue in the database
    await idle(url)
    assert fake_api.delivered_texts(chat_id) == REPLY + REPLY
    assert [text for _, text in first.assistant.turns] == ["hi", "second message"]


@SHARED
async def test_two_instances_share_dedup_and_keep_each_chats_order(
    instances, fake_api, url, assistant
):
    one, two = instances(), instances()
    chats = [next(_chats) for _ in range(3)]
    updates = [text_update(c, f"message {n}") for n in range(4) for c in chats]
    for index, body in enumerate(updates):
        assert await (one if index % 2 else two).post(body) == 200
    for body in updates:  # Telegram redelivers everything, to the other instance
        assert await (two if updates.index(body) % 2 else one).post(body) == 200
    await idle(url)
    for each in chats:
        assert [t for s, t in assistant.turns if s == str(each)] == [
            f"message {n}" for n in range(4)
        ]
        assert fake_api.delivered_texts(each) == REPLY * 4


@SHARED
async def test_a_redelivered_update_is_a_duplicate_after_a_restart(
    instances, fake_api, url, assistant, chat_id
):
    first = instances()
    hello = text_update(chat_id, "hi")
    await first.post(hello)
    await idle(url)
    await first.stop()
    assert await instances().post(hello) == 200
    await idle(url)
    assert assistant.turns == [(str(chat_id), "hi")]


# --- buttons and edits ---------------------------------------------------------------------
def keyboard_message(api: FakeTelegramApi, chat_id: int) -> int:
    sent = [
        call
        for call in api.calls_to("sendMessage")
        if call.delivered
        and call.params["chat_id"] == str(chat_id)
        and "reply_markup" in call.params
    ]
    return sent[-1].result["message_id"]


def press(chat_id: int, data: str, message_id: int) -> dict[str, Any]:
    body = callback_update(chat_id, data)
    body["callback_query"]["message"]["message_id"] = message_id
    return body


async def test_a_double_tap_acts_once_and_the_keyboard_is_taken_off(
    instances, fake_api, url, assistant, chat_id
):
    bot = instances()
    await bot.post(text_update(chat_id, "hi"))
    await idle(url)
    shown = keyboard_message(fake_api, chat_id)
    await bot.post(press(chat_id, "/skip", shown))
    await bot.post(press(chat_id, "/skip", shown))
    await idle(url)
    assert [text for _, text in assistant.turns] == ["hi", "/skip"]
    assert len([c for c in fake_api.calls_to("answerCallbackQuery")]) >= 2  # spinners stop
    edits = [c.params for c in fake_api.calls_to("editMessageReplyMarkup")]
    assert {
        "chat_id": str(chat_id),
        "message_id": shown,
        "reply_markup": {"inline_keyboard": []},
    } in edits


async def test_a_press_on_an_older_steps_keyboard_does_nothing(
    instances, fake_api, url, assistant, chat_id
):
    bot = instances()
    await bot.post(text_update(chat_id, "hi"))
    await idle(url)
    old = keyboard_message(fake_api, chat_id)
    await bot.post(text_update(chat_id, "i typed my answer instead"))
    await idle(url)
    assert keyboard_message(fake_api, chat_id) != old
    before = len(fake_api.delivered_texts(chat_id))
    await bot.post(press(chat_id, "/skip", old))
    await idle(url)
    assert [text for _, text in assistant.turns][-1] == "i typed my answer instead"
    assert len(fake_api.delivered_texts(chat_id)) == before
    # The old keyboard was taken off as soon as the person moved on.
    removed = [c.params["message_id"] for c in fake_api.calls_to("editMessageReplyMarkup")]
    assert old in removed


async def test_edits_are_not_read_and_the_person_is_told_once(
    instances, fake_api, url, assistant, chat_id
):
    bot = instances()
    await bot.post(text_update(chat_id, "hi"))
    await bot.post(text_update(chat_id, "my answer, edited", field="edited_message"))
    await bot.post(text_update(chat_id, "edited again", field="edited_message"))
    await idle(url)
    assert [text for _, text in assistant.turns] == ["hi"]
    assert fake_api.delivered_texts(chat_id) == REPLY + [TEXTS["edits_not_read"]]


# --- what the connector answers itself --------------------------------------------------------
PHOTO = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 9, "height": 9}]


@pytest.mark.parametrize(
    "content, expected",
    [
        ({"voice": {"file_id": "A", "file_unique_id": "B", "duration": 3}}, "voice"),
        ({"audio": {"file_id": "A", "file_unique_id": "B", "duration": 3}}, "voice"),
        ({"contact": {"phone_number": "+441234", "first_name": "Jo"}}, "contact"),
        ({"photo": PHOTO}, "only_text"),
        ({"sticker": {"file_id": "A", "file_unique_id": "B", "type": "regular"}}, "only_text"),
    ],
)
async def test_one_reply_per_kind_of_media(
    instances, fake_api, url, assistant, chat_id, content, expected
):
    bot = instances()
    await bot.post(update(message=message(chat_id, **content)))
    await idle(url)
    assert assistant.turns == []
    assert fake_api.delivered_texts(chat_id) == [TEXTS[expected]]


@pytest.mark.parametrize("media", ["photo", "document"])
async def test_a_caption_is_answered_as_text_after_a_short_note(
    instances, fake_api, url, assistant, chat_id, media
):
    bot = instances()
    content = {"photo": PHOTO} if media == "photo" else {"document": {"file_id": "A"}}
    await bot.post(update(message=message(chat_id, caption="he sent this to her", **content)))
    await idle(url)
    assert assistant.turns == [(str(chat_id), "he sent this to her")]
    assert fake_api.delivered_texts(chat_id) == [TEXTS["caption_note"], *REPLY]


async def test_a_group_is_told_once_with_the_bots_link(instances, fake_api, url, assistant):
    bot = instances()
    group = -4242
    await bot.post(text_update(group, "hi bot", chat_kind="group"))
    await bot.post(text_update(group, "hello?", chat_kind="group"))
    await idle(url)
    assert assistant.turns == []
    assert fake_api.delivered_texts(group) == [
        TEXTS["private_only"].format(link="https://t.me/fake_bot")
    ]


async def test_a_message_of_4096_characters_is_accepted(
    instances, fake_api, url, assistant, chat_id
):
    bot = instances()
    await bot.post(text_update(chat_id, "x" * 4096))
    await bot.post(text_update(chat_id, "y" * 4097))
    await idle(url)
    assert assistant.turns == [(str(chat_id), "x" * 4096)]
    assert fake_api.delivered_texts(chat_id)[-1] == TEXTS["too_long"]


async def test_reminders_go_through_the_outbox_too(instances, fake_api, url, chat_id):
    bot = instances()
    fake_api.fail_next("sendMessage", 429, retry_after=1)
    output = bot.connector.get_output_channel()
    await output.send_response(str(chat_id), {"text": "Time for your check-in."})
    await idle(url)
    assert fake_api.delivered_texts(chat_id) == ["Time for your check-in."]


def test_chat_fixture_is_private():
    assert chat(1)["type"] == "private"


class _DatabaseDown:
    def accept(self, *_: Any) -> int:
        raise OperationalError("INSERT", {}, Exception("connection refused"))


async def test_an_update_that_cannot_be_stored_is_not_acknowledged(fake_api, chat_id):
    connector = TelegramInput(
        TelegramSettings(TOKEN, SECRET, "", fake_api.base_url), store=_DatabaseDown()
    )
    start = fake_api.mark()
    assert await connector._accept(text_update(chat_id, "hi")) == 503  # Telegram retries it
    assert fake_api.since(start) == []
