"""The Telegram connector end to end: the real action server and Rasa server with the
connector pointed at a fake Bot API; real Update JSON is posted to the webhook and the tests
assert on the HTTP status and on the calls the fake Bot API received."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.channels.telegram.payloads import key_for
from bot.channels.telegram.settings import connector_texts
from tests.support.fake_telegram_api import FakeTelegramApi
from tests.support.live import LiveServers
from tests.support.telegram_updates import (
    CHANNEL_POST,
    MY_CHAT_MEMBER,
    NON_TEXT,
    SECRET,
    TOKEN,
    WEBHOOK_URL,
    callback_update,
    message,
    text_update,
    titles,
    update,
)

TEXTS = connector_texts()


# --- end to end: the real servers behind the webhook ------------------------------------------
@dataclass
class TelegramServers(LiveServers):
    """LiveServers with the Telegram connector on, configured from the environment as in
    production."""

    api_base: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {
            **super().env,
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
            "TELEGRAM_API_BASE": self.api_base,
        }

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/telegram/webhook"

    def post(self, body: Any, secret: str | None = SECRET) -> tuple[int, bytes]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        request = urllib.request.Request(self.webhook, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@pytest.fixture(scope="module")
def servers(tmp_path_factory, fake_api) -> Iterator[TelegramServers]:
    with TelegramServers.running(
        tmp_path_factory.mktemp("telegram"), api_base=fake_api.base_url
    ) as live:
        fake_api.wait_for("setMyCommands")  # registration runs in the background at startup
        yield live


_chat_ids = itertools.count(500_000)


@dataclass
class TelegramChat:
    """One person in a private chat: posts updates, keeps the Bot API calls each one caused."""

    servers: TelegramServers
    api: FakeTelegramApi
    chat_id: int = field(default_factory=lambda: next(_chat_ids))
    calls: list[Any] = field(default_factory=list)
    history: list[Any] = field(default_factory=list)

    def send(self, body: Any, secret: str | None = SECRET) -> int:
        start = self.api.mark()
        status, _ = self.servers.post(body, secret)
        self.calls = self.api.since(start)
        self.history += self.calls
        return status

    def say(self, text: str, field: str = "message") -> int:
        return self.send(text_update(self.chat_id, text, field))

    def press(self, title: str) -> int:
        return self.send(callback_update(self.chat_id, self.callback_data(title)))

    def callback_data(self, title: str) -> str:
        for call in reversed(self.history):
            for row in call.params.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == title:
                        return button["callback_data"]
        raise AssertionError(f"no button {title!r} in {self.keyboard}")

    @property
    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    @property
    def text(self) -> str:
        return "\n".join(call.params["text"] for call in self.calls if call.method == "sendMessage")

    @property
    def keyboard(self) -> list[list[str]]:
        markups = [
            call.params["reply_markup"] for call in self.calls if "reply_markup" in call.params
        ]
        return titles(markups[-1]["inline_keyboard"]) if markups else []


@pytest.fixture
def person(servers, fake_api) -> TelegramChat:
    return TelegramChat(servers, fake_api)


live = pytest.mark.live


@live
def test_the_webhook_is_registered_at_startup_with_the_secret(servers, fake_api):
    params = fake_api.calls_to("setWebhook")[0].params
    assert params == {
        "url": WEBHOOK_URL,
        "secret_token": SECRET,
        "allowed_updates": ["message", "edited_message", "callback_query"],
    }
    commands = fake_api.calls_to("setMyCommands")[0].params["commands"]
    assert [command["command"] for command in commands] == ["start", "help", "stop", "delete"]


@live
def test_a_text_message_gets_the_welcome_as_plain_text_with_inline_buttons(person):
    assert person.say("hi") == 200
    assert "automated self-help assistant" in person.text and "not a therapist" in person.text
    assert set(person.methods) == {"sendMessage"}
    assert all(
        call.params["chat_id"] == str(person.chat_id) and "parse_mode" not in call.params
        for call in person.calls
    )
    assert person.keyboard == [["Show topics"]] and person.callback_data("Show topics") == "/help"


@live
def test_an_edited_message_goes_to_rasa(person):
    person.say("hi")
    assert person.say("are you a real person?", field="edited_message") == 200
    assert "not a human" in person.text


@live
def test_a_button_press_is_answered_and_its_payload_goes_to_rasa(person):
    person.say("i keep checking his phone")
    assert "Trust-signs self-check" in person.text
    assert person.keyboard == [["Yes, let's start", "Not now"]]
    press = callback_update(person.chat_id, person.callback_data("Not now"))
    assert person.send(press) == 200
    assert person.calls[0].method == "answerCallbackQuery"
    assert person.calls[0].params == {"callback_query_id": press["callback_query"]["id"]}
    assert "That's completely fine" in person.text


@live
def test_a_button_key_from_before_a_restart_resolves_from_the_conversation(person):
    person.say("i keep checking his phone")
    # This server never sent a key for "/deny" (it fits verbatim), so only the
    # conversation history in the tracker store can resolve it, as after a restart.
    assert person.send(callback_update(person.chat_id, key_for("/deny"))) == 200
    assert person.methods[0] == "answerCallbackQuery" and "That's completely fine" in person.text
    assert person.send(callback_update(person.chat_id, key_for("/never-sent"))) == 200
    assert (
        person.methods == ["answerCallbackQuery", "sendMessage"]
        and person.text == TEXTS["button_expired"]
    )


@live
@pytest.mark.parametrize("kind", NON_TEXT)
def test_non_text_messages_get_a_friendly_reply_and_never_reach_rasa(person, kind):
    assert person.send(update(message=message(person.chat_id, **NON_TEXT[kind]))) == 200
    # A first message that reached Rasa would be answered with the welcome and disclosure.
    assert person.methods == ["sendMessage"] and person.text == TEXTS["only_text"]


@live
@pytest.mark.parametrize(
    "body",
    [MY_CHAT_MEMBER, CHANNEL_POST, {"message": message(777, pinned_message={"message_id": 1})}],
    ids=["my_chat_member", "channel_post", "service_message"],
)
def test_membership_channel_and_service_updates_are_acknowledged_and_ignored(person, body):
    assert person.send(update(**body)) == 200
    assert person.calls == []


@live
def test_a_group_is_told_once_that_the_bot_works_in_private_chats_only(person):
    group = -(person.chat_id)
    assert (
        person.send(text_update(group, "hi bot, i caught my husband cheating", chat_kind="group"))
        == 200
    )
    assert person.methods == ["sendMessage"] and person.text == TEXTS["private_only"]
    assert person.calls[0].params["chat_id"] == str(group)
    assert person.send(text_update(group, "hello?", chat_kind="group")) == 200
    assert person.calls == []
    assert person.send(callback_update(group, "/affirm", chat_kind="group")) == 200
    assert person.methods == ["answerCallbackQuery"]  # the spinner stops; nothing reaches Rasa
    assert person.send(text_update(-(person.chat_id) - 1, "/start", chat_kind="supergroup")) == 200
    assert person.text == TEXTS["private_only"]


@live
@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_requests_without_the_right_secret_are_refused(person, secret):
    assert person.send(text_update(person.chat_id, "hi"), secret=secret) == 403
    assert person.calls == []


@live
def test_a_malformed_body_is_refused_without_echoing_it(servers, person):
    body = b'{"update_id": 1, "message": {"text": "my secret story'
    status, reply = servers.post(body)
    assert status == 400 and b"secret story" not in reply
    assert person.send(b"[1, 2, 3]") == 400


@live
def test_too_long_and_empty_messages_get_a_clear_reply(person):
    assert person.say("I need to tell you everything. " * 140) == 200
    assert person.methods == ["sendMessage"] and person.text == TEXTS["too_long"]
    assert person.say("   ") == 200 and person.text == TEXTS["empty"]


@live
def test_a_redelivered_update_is_handled_once(person):
    hello = text_update(person.chat_id, "hi")
    person.send(hello)
    assert "automated self-help assistant" in person.text
    assert person.send(hello) == 200 and person.calls == []


@live
def test_a_rate_limit_is_waited_out_and_the_reply_still_arrives(person, fake_api):
    fake_api.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    assert person.say("hi") == 200
    assert time.monotonic() - started >= 1
    assert [call.status for call in person.calls if call.method == "sendMessage"][:2] == [429, 200]
    assert "automated self-help assistant" in person.text


@live
def test_start_as_the_first_message_welcomes_and_discloses(person):
    assert person.say("/start") == 200
    assert "automated self-help assistant" in person.text and "not a therapist" in person.text


@live
@pytest.mark.parametrize(
    "command, expected",
    [
        ("/help", "Here's what I can help with"),
        ("/stop", "not in the middle of an exercise"),
        ("/delete", "This deletes everything I've stored about you"),
    ],
)
def test_commands(person, command, expected):
    person.say("hi")
    assert person.say(command) == 200
    assert expected in person.text


@live
def test_delete_asks_for_confirmation_then_deletes(person):
    person.say("/delete")
    assert person.keyboard == [["Yes, delete everything"], ["No, keep it"]]
    person.press("Yes, delete everything")
    assert "deleted everything" in person.text


@live
def test_stop_during_an_exercise_asks_first(person):
    person.say("i keep checking his phone")
    person.press("Yes, let's start")
    assert person.say("/stop") == 200
    assert "Do you want to stop this exercise" in person.text


@live
def test_the_whole_self_check_by_pressing_buttons(person):
    person.say("i keep checking his phone")
    person.press("Yes, let's start")
    assert person.methods[0] == "answerCallbackQuery" and "Question 1 of 7" in person.text
    assert person.keyboard == [["Rarely or never", "Sometimes"], ["Often", "Skip this", "Pause"]]
    for number, answer in enumerate(
        ["Often", "Sometimes", "Rarely or never", "Often", "Sometimes", "Often"], start=2
    ):
        assert person.press(answer) == 200
        assert f"Question {number} of 7" in person.text
    person.press("Often")
    assert "Your trust-signs self-check" in person.text
    assert "Your score: 10 out of 14" in person.text
