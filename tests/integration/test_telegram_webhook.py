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
import yaml

from bot.channels.telegram.payloads import key_for
from bot.channels.telegram.settings import connector_texts
from bot.paths import REPO_ROOT
from tests.support.fake_telegram_api import FakeTelegramApi
from tests.support.live import LiveServers
from tests.support.telegram_outbox import wait_until_idle
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
RESPONSES = yaml.safe_load((REPO_ROOT / "domain.yml").read_text())["responses"]


def said(text: str, response: str) -> bool:
    """Whether `text` holds one of the response's variations (they vary; see DESIGN.md)."""
    return any(
        " ".join(variation["text"].split())[:40] in " ".join(text.split())
        for variation in RESPONSES[response]
    )


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
            # A killed instance's chats are taken over after this (60 s in production).
            "TELEGRAM_LEASE_SECONDS": "3",
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
        """Posts the update; once the outbox is empty, keeps the Bot API calls it caused."""
        start = self.api.mark()
        status, _ = self.servers.post(body, secret)
        wait_until_idle(self.servers.database_url)
        self.calls = self.api.since(start)
        self.history += self.calls
        return status

    def say(self, text: str, field: str = "message") -> int:
        return self.send(text_update(self.chat_id, text, field))

    def press(self, title: str) -> int:
        return self.send(self.press_update(self.callback_data(title), title))

    def press_update(self, data: str, title: str | None = None) -> dict[str, Any]:
        """A press of a button on the message that carries `title` (default: the latest
        keyboard), as Telegram sends it: with that message's id."""
        body = callback_update(self.chat_id, data)
        body["callback_query"]["message"]["message_id"] = self._keyboard_call(title).result[
            "message_id"
        ]
        return body

    def _keyboard_call(self, title: str | None = None) -> Any:
        for call in reversed(self.history):
            rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
            if call.delivered and rows and (title is None or title in sum(titles(rows), [])):
                return call
        raise AssertionError(f"no button {title!r} in {self.keyboard}")

    def callback_data(self, title: str) -> str:
        for row in self._keyboard_call(title).params["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button["text"] == title:
                    return button["callback_data"]
        raise AssertionError(f"no button {title!r}")

    @property
    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    @property
    def text(self) -> str:
        return "\n".join(
            call.params["text"]
            for call in self.calls
            if call.method == "sendMessage" and call.delivered
        )

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
def test_an_edited_message_is_not_read_and_the_person_is_told_once(person):
    person.say("i keep checking his phone")
    person.press("Yes, let's start")
    assert person.say("Often", field="edited_message") == 200
    assert person.text == TEXTS["edits_not_read"]
    assert person.say("Sometimes", field="edited_message") == 200 and person.calls == []
    person.press("Often")
    assert "Question 2 of 7" in person.text  # the edits answered nothing


@live
def test_a_button_press_is_answered_and_its_payload_goes_to_rasa(person):
    person.say("i keep checking his phone")
    assert "Trust-signs self-check" in person.text
    assert person.keyboard == [["Yes, let's start", "Not now"]]
    press = person.press_update(person.callback_data("Not now"))
    assert person.send(press) == 200
    answers = [call for call in person.calls if call.method == "answerCallbackQuery"]
    assert [call.params for call in answers] == [
        {"callback_query_id": press["callback_query"]["id"]}
    ]
    assert said(person.text, "utter_offer_declined")
    pressed = press["callback_query"]["message"]["message_id"]
    assert {
        "chat_id": str(person.chat_id),
        "message_id": pressed,
        "reply_markup": {"inline_keyboard": []},
    } in [call.params for call in person.calls if call.method == "editMessageReplyMarkup"]


@live
def test_a_double_tap_on_skip_skips_one_question(person):
    person.say("i keep checking his phone")
    person.press("Yes, let's start")
    skip = person.press_update(person.callback_data("Skip this"))
    assert person.send(skip) == 200 and "Question 2 of 7" in person.text
    again = person.press_update(person.callback_data("Skip this"), "Skip this")
    again["callback_query"]["message"]["message_id"] = skip["callback_query"]["message"][
        "message_id"
    ]
    assert person.send(again) == 200
    assert person.text == ""  # the second tap did nothing
    person.press("Often")
    assert "Question 3 of 7" in person.text


@live
def test_a_button_key_from_before_a_restart_resolves_from_the_conversation(person):
    person.say("i keep checking his phone")
    # This server never sent a key for "Not now" (its payload fits verbatim), so only the
    # conversation history in the tracker store can resolve it, as after a restart.
    assert person.send(person.press_update(key_for(person.callback_data("Not now")))) == 200
    assert said(person.text, "utter_offer_declined")
    person.say("i keep checking his phone")
    assert person.send(person.press_update(key_for("/never-sent"))) == 200
    assert person.text == TEXTS["button_expired"]


@live
@pytest.mark.parametrize(
    "kind, reply",
    [("sticker", "only_text"), ("video", "only_text"), ("location", "only_text")]
    + [("voice", "voice"), ("document", "only_text")],
)
def test_non_text_messages_get_a_friendly_reply_and_never_reach_rasa(person, kind, reply):
    assert person.send(update(message=message(person.chat_id, **NON_TEXT[kind]))) == 200
    # A first message that reached Rasa would be answered with the welcome and disclosure.
    assert person.methods == ["sendMessage"] and person.text == TEXTS[reply]


@live
def test_a_photos_caption_is_answered_as_text_after_a_note(person):
    photo = {**NON_TEXT["photo"], "caption": "i found texts from another woman on his phone"}
    assert person.send(update(message=message(person.chat_id, **photo))) == 200
    assert person.text.startswith(TEXTS["caption_note"])
    assert "automated self-help assistant" in person.text


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
    notice = TEXTS["private_only"].format(link="https://t.me/fake_bot")
    # getMe: the bot's username for the link, asked once.
    assert [m for m in person.methods if m != "getMe"] == ["sendMessage"] and person.text == notice
    assert [c.params["chat_id"] for c in person.calls if c.method == "sendMessage"] == [str(group)]
    assert person.send(text_update(group, "hello?", chat_kind="group")) == 200
    assert person.calls == []
    assert person.send(callback_update(group, "/affirm", chat_kind="group")) == 200
    assert person.methods == ["answerCallbackQuery"]  # the spinner stops; nothing reaches Rasa
    assert person.send(text_update(-(person.chat_id) - 1, "/start", chat_kind="supergroup")) == 200
    assert person.text == notice


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
    assert person.send({"message": message(person.chat_id, text="hi")}) == 400
    assert person.send({"update_id": "7", "message": message(person.chat_id, text="hi")}) == 400
    deep = b'{"update_id": 99, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert person.send(deep) == 400
    assert person.calls == []


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
def test_the_webhook_answers_at_once_while_a_rate_limit_is_waited_out(servers, person, fake_api):
    fake_api.fail_next("sendMessage", 429, retry_after=2, times=3)
    start = fake_api.mark()
    status, _ = servers.post(text_update(person.chat_id, "hi"))
    assert status == 200 and fake_api.delivered_texts(person.chat_id) == []  # before 6 s of 429s
    wait_until_idle(servers.database_url)
    sent = [call for call in fake_api.since(start) if call.method == "sendMessage"]
    assert [call.status for call in sent][:4] == [429, 429, 429, 200]
    texts = [call.params["text"] for call in sent if call.delivered]
    assert "automated self-help assistant" in texts[0] and len(texts) == len(set(texts))


@live
def test_a_message_of_4096_characters_reaches_the_assistant(person):
    assert person.say("I need to tell you what happened. " * 120 + "x" * 16) == 200
    assert person.text != TEXTS["too_long"]


@live
def test_start_as_the_first_message_welcomes_and_discloses(person):
    assert person.say("/start") == 200
    assert "automated self-help assistant" in person.text and "not a therapist" in person.text


@live
@pytest.mark.parametrize(
    "command, expected",
    [
        ("/help", TEXTS["help"]),
        ("/stop", "utter_stop_talking"),  # outside an exercise, "stop" ends the conversation
        ("/delete", "This deletes everything I've stored about you"),
    ],
)
def test_commands(person, command, expected):
    person.say("hi")
    assert person.say(command) == 200
    assert expected in person.text or said(person.text, expected)


@live
def test_help_says_what_it_does_and_how_to_steer_it_and_keeps_the_exercises_buttons(person):
    person.say("i keep checking his phone")
    person.press("Yes, let's start")
    assert person.say("/help") == 200 and person.text == TEXTS["help"]
    for words in ("not a person", "skip", "pause", "continue my exercise", "stop", "emergency"):
        assert words in person.text
    person.press("Often")  # the question's buttons still answer it
    assert "Question 2 of 7" in person.text


@live
def test_start_for_a_returning_person_says_what_this_is_and_where_urgent_help_is(person):
    person.say("hi")
    person.say("i keep checking his phone")
    assert person.say("/start") == 200
    assert said(person.text, "utter_welcome_back")
    assert "automated self-help assistant" in person.text and "emergency number" in person.text
    assert not said(person.text, "utter_greet_again")  # no longer only "Hi again"


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
    assert "answerCallbackQuery" in person.methods and "Question 1 of 7" in person.text
    assert person.keyboard == [["Rarely or never", "Sometimes"], ["Often", "Skip this", "Pause"]]
    for number, answer in enumerate(
        ["Often", "Sometimes", "Rarely or never", "Often", "Sometimes", "Often"], start=2
    ):
        assert person.press(answer) == 200
        assert f"Question {number} of 7" in person.text
    person.press("Often")
    assert "Your trust-signs self-check" in person.text
    assert "Your score: 10 out of 14" in person.text


@live
def test_replies_queued_when_the_server_is_killed_arrive_once_in_order_after_restart(
    servers, person, fake_api
):
    fake_api.fail_next("sendMessage", 429, retry_after=8)
    start = fake_api.mark()
    assert servers.post(text_update(person.chat_id, "hi"))[0] == 200
    deadline = time.monotonic() + 30
    while not [c for c in fake_api.since(start) if c.method == "sendMessage"]:
        assert time.monotonic() < deadline, "the first reply was never tried"
        time.sleep(0.1)
    servers.kill_rasa()  # while the reply waits out the rate limit, queued in the database
    assert fake_api.delivered_texts(person.chat_id) == []
    servers.start_rasa()
    wait_until_idle(servers.database_url)
    texts = fake_api.delivered_texts(person.chat_id)
    assert texts and "automated self-help assistant" in texts[0]  # the disclosure first
    assert len(texts) == len(set(texts))  # nothing twice: the turn ran once
    assert [c.status for c in fake_api.since(start) if c.method == "sendMessage"][0] == 429
