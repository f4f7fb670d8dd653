"""The Telegram connector, offline: units for its parts, then the real servers and a fake Bot API.

The end-to-end tests start the action server and the Rasa server with the connector
pointed at tests/fake_telegram_api.py, post real Telegram Update JSON to the webhook and
assert on the HTTP status and on the calls the fake Bot API received.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from actions.context import THEME_INTENTS
from actions.exercises.catalogue import load_exercises
from bot.channels import telegram_setup
from bot.channels.telegram_api import RetryPolicy, TelegramApiError, TelegramClient
from bot.channels.telegram_format import TEXT_LIMIT, inline_keyboard, split_text, utf16_length
from bot.channels.telegram_output import TelegramOutput
from bot.channels.telegram_payloads import CALLBACK_DATA_LIMIT, PayloadCodec, fits_verbatim, key_for
from bot.channels.telegram_settings import DEFAULT_API_BASE, TelegramSettings, connector_texts
from bot.channels.telegram_updates import COMMANDS, Kind, admit, as_rasa_text, classify
from tests.fake_telegram_api import FakeTelegramApi
from tests.live import LiveServers

TOKEN = "123456:TEST-token_for-the-fake-api"
SECRET = "test-secret_0123456789"
WEBHOOK_URL = "https://bot.example.org/webhooks/telegram/webhook"
TEXTS = connector_texts()


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi(TOKEN) as api:
        yield api


@pytest.fixture
def client(fake_api: FakeTelegramApi) -> TelegramClient:
    # Real backoff timings, but recorded instead of slept, so the tests stay fast.
    return TelegramClient(TOKEN, fake_api.base_url, RetryPolicy(attempts=3), sleep=_record_sleep)


_slept: list[float] = []


async def _record_sleep(seconds: float) -> None:
    _slept.append(seconds)


@pytest.fixture(autouse=True)
def _clear_sleeps() -> None:
    _slept.clear()


# --- Telegram Update JSON ----------------------------------------------------------------
_ids = itertools.count(10_000)


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    if kind == "private":
        return {"id": chat_id, "first_name": "Sam", "type": "private"}
    return {"id": chat_id, "title": "Friends", "type": kind}


def message(chat_id: int, chat_kind: str = "private", **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_ids),
        "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Sam"},
        "chat": chat(chat_id, chat_kind),
        "date": 1_732_000_000,
        **content,
    }


def update(**content: Any) -> dict[str, Any]:
    return {"update_id": next(_ids), **content}


def text_update(
    chat_id: int, text: str, field: str = "message", chat_kind: str = "private"
) -> dict[str, Any]:
    return update(**{field: message(chat_id, chat_kind, text=text)})


def callback_update(chat_id: int, data: str, chat_kind: str = "private") -> dict[str, Any]:
    return update(
        callback_query={
            "id": str(next(_ids)),
            "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Sam"},
            "message": message(chat_id, chat_kind, text="(the bot's message)"),
            "chat_instance": "42",
            "data": data,
        }
    )


PHOTO = [
    {"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90, "file_size": 1024}
]
NON_TEXT = {
    "sticker": {
        "sticker": {
            "file_id": "CAAD",
            "file_unique_id": "AgAD",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "😢",
        }
    },
    "photo": {"photo": PHOTO, "caption": "look at this"},
    "voice": {
        "voice": {
            "file_id": "AwAD",
            "file_unique_id": "AgAD",
            "duration": 4,
            "mime_type": "audio/ogg",
        }
    },
    "video": {
        "video": {
            "file_id": "BAAD",
            "file_unique_id": "AgAD",
            "width": 1,
            "height": 1,
            "duration": 1,
        }
    },
    "document": {
        "document": {"file_id": "BQAD", "file_unique_id": "AgAD", "file_name": "notes.pdf"}
    },
    "location": {"location": {"latitude": 52.52, "longitude": 13.40}},
}
MY_CHAT_MEMBER = {
    "my_chat_member": {
        "chat": chat(777),
        "from": {"id": 777, "is_bot": False, "first_name": "Sam"},
        "date": 1_732_000_000,
        "old_chat_member": {
            "status": "member",
            "user": {"id": 123456, "is_bot": True, "first_name": "Bot"},
        },
        "new_chat_member": {
            "status": "kicked",
            "until_date": 0,
            "user": {"id": 123456, "is_bot": True, "first_name": "Bot"},
        },
    }
}
CHANNEL_POST = {
    "channel_post": {
        "message_id": 5,
        "chat": {"id": -100123, "title": "News", "type": "channel"},
        "date": 1_732_000_000,
        "text": "hello channel",
    }
}


# --- units: settings and the request gate ---------------------------------------------------
def test_settings_come_from_the_environment_and_credentials_override():
    env = {
        "TELEGRAM_TOKEN": "t",
        "TELEGRAM_WEBHOOK_SECRET": "s",
        "TELEGRAM_WEBHOOK_URL": "https://x/y",
    }
    assert TelegramSettings.load(None, env) == TelegramSettings(
        "t", "s", "https://x/y", DEFAULT_API_BASE
    )
    overridden = TelegramSettings.load(
        {"webhook_secret": "other", "api_base": "http://fake:1/"}, env
    )
    assert (overridden.access_token, overridden.webhook_secret, overridden.api_base) == (
        "t",
        "other",
        "http://fake:1",
    )


@pytest.mark.parametrize(
    "settings, problem",
    [
        (TelegramSettings("", SECRET), "TELEGRAM_TOKEN"),
        (TelegramSettings(TOKEN, ""), "TELEGRAM_WEBHOOK_SECRET"),
        (TelegramSettings(TOKEN, "has spaces"), "A-Z"),
    ],
)
def test_an_unconfigured_channel_answers_503_and_says_why(settings, problem, caplog):
    with caplog.at_level(logging.ERROR):
        assert admit(settings, SECRET, b"{}") == (503, None)
    assert problem in caplog.text and TOKEN not in caplog.text


@pytest.mark.parametrize("header", [None, "", "wrong", SECRET + "x", SECRET[:-1]])
def test_a_missing_or_wrong_secret_is_refused(header):
    assert admit(TelegramSettings(TOKEN, SECRET), header, b"{}") == (403, None)


@pytest.mark.parametrize(
    "body", [b"", b"{not json", b"[1, 2]", b'"text"', '{"a": "\xff"'.encode("latin-1")]
)
def test_a_body_that_is_not_a_json_object_is_refused(body):
    assert admit(TelegramSettings(TOKEN, SECRET), SECRET, body) == (400, None)


def test_a_genuine_update_is_admitted():
    assert admit(TelegramSettings(TOKEN, SECRET), SECRET, b'{"update_id": 1}') == (
        200,
        {"update_id": 1},
    )


# --- units: what kind of update -------------------------------------------------------------
@pytest.mark.parametrize(
    "incoming, kind, text",
    [
        (text_update(1, "i keep checking his phone"), Kind.TEXT, "i keep checking his phone"),
        (text_update(1, "  typo'd  ", field="edited_message"), Kind.TEXT, "typo'd"),
        (callback_update(1, "/affirm"), Kind.BUTTON, "/affirm"),
        (update(message=message(1, **NON_TEXT["sticker"])), Kind.NOT_TEXT, None),
        (update(message=message(1, **NON_TEXT["photo"])), Kind.NOT_TEXT, None),
        (update(message=message(1, pinned_message={"message_id": 1})), Kind.IGNORED, None),
        (text_update(1, "x" * 4001), Kind.TOO_LONG, None),
        (text_update(1, "x" * 4000), Kind.TEXT, "x" * 4000),
        (text_update(1, "   "), Kind.EMPTY, None),
        (text_update(1, "/"), Kind.EMPTY, None),
        (text_update(-5, "hello all", chat_kind="group"), Kind.GROUP, None),
        (text_update(-1005, "hello all", chat_kind="supergroup"), Kind.GROUP, None),
        (callback_update(-5, "/affirm", chat_kind="group"), Kind.GROUP, None),
        (update(**MY_CHAT_MEMBER), Kind.IGNORED, None),
        (update(**CHANNEL_POST), Kind.IGNORED, None),
        (update(poll_answer={"poll_id": "1", "option_ids": [0]}), Kind.IGNORED, None),
        (
            update(
                callback_query={
                    "id": "7",
                    "from": {"id": 3},
                    "inline_message_id": "AB",
                    "data": "/affirm",
                }
            ),
            Kind.IGNORED,
            None,
        ),
    ],
)
def test_updates_are_classified(incoming, kind, text):
    result = classify(incoming)
    assert (result.kind, result.text) == (kind, text)


def test_a_button_press_without_its_message_uses_the_sender_as_the_private_chat():
    result = classify(
        update(
            callback_query={"id": "9", "from": {"id": 31}, "chat_instance": "1", "data": "/deny"}
        )
    )
    assert (result.kind, result.chat_id, result.text, result.callback_query_id) == (
        Kind.BUTTON,
        "31",
        "/deny",
        "9",
    )


@pytest.mark.parametrize(
    "typed, rasa_text",
    [
        ("/start", "/greet"),
        ("/start some-deep-link", "/greet"),
        ("/START@TrustRepairBot", "/greet"),
        ("/help", "/help"),
        ("/stop", "/stop_exercise"),
        ("/delete", "/delete_my_data"),
        ("/affirm", "affirm"),
        ('/start_exercise{"exercise":"setback"}', 'start_exercise{"exercise":"setback"}'),
        ("/ i feel awful", "i feel awful"),
        ("he said / she said", "he said / she said"),
    ],
)
def test_commands_become_intents_and_typed_text_cannot_forge_one(typed, rasa_text):
    assert as_rasa_text(typed) == rasa_text


def test_the_command_menu_lists_exactly_the_commands_handled():
    assert list(TEXTS["commands"]) == list(COMMANDS)


# --- units: payloads and formatting ------------------------------------------------------
def all_payloads_the_actions_send() -> list[str]:
    """Every button payload the action code can produce, from the content files."""
    from actions.context import button

    payloads = [button("x", intent)["payload"] for intent in THEME_INTENTS]
    for exercise in load_exercises().values():
        payloads.append(button("x", "start_exercise", exercise=exercise.id)["payload"])
        for step in exercise.steps:
            payloads += [
                button("x", "choose", choice=option.value)["payload"]
                for option in step.options or []
            ]
    payloads += [button("x", "choose", choice=str(n))["payload"] for n in range(11)]
    payloads.append(button("x", "show_summaries", summary_id="9" * 12)["payload"])
    return payloads


def test_every_button_payload_of_this_assistant_is_sent_verbatim():
    payloads = all_payloads_the_actions_send()
    assert len(payloads) > 50
    assert all(fits_verbatim(payload) for payload in payloads), [
        p for p in payloads if not fits_verbatim(p)
    ]


LONG_PAYLOADS = [
    '/choose{"choice":"' + "a_very_long_option_value" * 4 + '"}',
    '/inform_region{"region":"Ciudad Autónoma de Buenos Aires, Argentina 🇦🇷"}',
    "é" * 33,  # 33 characters, 66 bytes
    "#short but looks like a key",
]


@pytest.mark.parametrize(
    "payload",
    ["/affirm", '/start_exercise{"exercise":"transparency_consistency"}', "x" * 64, *LONG_PAYLOADS],
)
async def test_payloads_round_trip_within_64_bytes(payload):
    codec = PayloadCodec()
    data = codec.encode(payload)
    assert 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT
    assert await codec.decode(data, _no_history) == payload
    assert codec.encode(payload) == data  # deterministic


async def _no_history() -> list[Any]:
    raise AssertionError("a payload this process sent must not need the history")


def _bot_message_with(payload: str) -> list[Any]:
    return [
        ActionExecuted("action_listen"),
        UserUttered("hi"),
        BotUttered(
            "Pick one",
            {
                "buttons": [
                    {"title": "Other", "payload": "/deny"},
                    {"title": "It", "payload": payload},
                ]
            },
        ),
        ActionExecuted("action_listen"),
    ]


@pytest.mark.parametrize("payload", LONG_PAYLOADS)
async def test_a_key_from_before_a_restart_is_found_in_the_conversation_history(payload):
    data = PayloadCodec().encode(payload)
    fresh = PayloadCodec()  # a restarted server, or another instance

    async def history() -> list[Any]:
        return _bot_message_with(payload)

    assert await fresh.decode(data, history) == payload


async def test_an_unknown_key_decodes_to_none():
    async def history() -> list[Any]:
        return _bot_message_with("/affirm")

    assert await PayloadCodec().decode(key_for("something else"), history) is None


async def test_the_payload_memory_is_bounded():
    codec = PayloadCodec(max_remembered=2)
    keys = [codec.encode(payload) for payload in LONG_PAYLOADS[:3]]

    async def empty() -> list[Any]:
        return []

    assert await codec.decode(keys[0], empty) is None
    assert await codec.decode(keys[2], empty) == LONG_PAYLOADS[2]


def paragraphs(count: int, length: int) -> str:
    return "\n\n".join(f"Paragraph {n}. " + "word " * (length // 5) for n in range(count))


@pytest.mark.parametrize(
    "text",
    [
        paragraphs(12, 900),  # paragraph boundaries
        "\n".join(f"line {n} " + "x" * 300 for n in range(40)),  # line boundaries only
        "word " * 3000,  # word boundaries only
        "x" * 10_000,  # no boundary: hard cut
        "💛 " * 3000,  # emoji count twice in UTF-16
    ],
)
def test_long_text_is_split_within_the_limit_without_losing_anything(text):
    parts = split_text(text)
    assert len(parts) > 1
    assert all(0 < utf16_length(part) <= TEXT_LIMIT for part in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_text_is_split_at_a_paragraph_boundary():
    text = paragraphs(12, 900)
    for part in split_text(text):
        assert part.startswith("Paragraph ") and part.endswith("word")


def test_short_text_is_one_part():
    assert split_text("  Hello.\n\nHow are you?  ") == ["Hello.\n\nHow are you?"]
    assert split_text("") == []


def titles(rows: list[list[dict[str, str]]]) -> list[list[str]]:
    return [[button["text"] for button in row] for row in rows]


def test_short_buttons_share_rows_and_long_ones_get_their_own():
    def buttons(*names: str) -> list[dict[str, str]]:
        return [{"title": name, "payload": f"/{n}"} for n, name in enumerate(names)]

    assert titles(inline_keyboard(buttons("Yes, let's start", "Not now"), str)) == [
        ["Yes, let's start", "Not now"]
    ]
    assert titles(inline_keyboard(buttons(*map(str, range(11))), str)) == [
        ["0", "1", "2", "3", "4"],
        ["5", "6", "7", "8", "9"],
        ["10"],
    ]
    long = "Something that is quite a long title"
    assert titles(inline_keyboard(buttons("A", long, "B"), str)) == [["A"], [long], ["B"]]


def test_keyboard_callback_data_is_encoded():
    codec = PayloadCodec()
    rows = inline_keyboard(
        [{"title": "Long", "payload": LONG_PAYLOADS[0]}, {"title": "No", "payload": "/deny"}],
        codec.encode,
    )
    assert [button["callback_data"] for row in rows for button in row] == [
        key_for(LONG_PAYLOADS[0]),
        "/deny",
    ]


# --- units: the Bot API client and the output channel, against the fake API -----------------
async def test_a_rate_limit_is_waited_out_as_telegram_asks(client, fake_api):
    fake_api.fail_next("getMe", 429, retry_after=3)
    assert (await client.call("getMe"))["is_bot"] is True
    assert _slept == [3]
    await client.close()


async def test_server_errors_are_retried_with_exponential_backoff(client, fake_api):
    fake_api.fail_next("getMe", 502, times=2)
    assert (await client.call("getMe"))["username"] == "fake_bot"
    assert _slept == [0.5, 1.0]
    await client.close()


async def test_retries_are_bounded_and_logged_without_the_text(client, fake_api, caplog):
    fake_api.fail_next("sendMessage", 500, times=3)
    with (
        caplog.at_level(logging.DEBUG, logger="bot.channels"),
        pytest.raises(TelegramApiError) as error,
    ):
        await client.call("sendMessage", {"chat_id": 1, "text": "my private words"})
    assert error.value.error_code == 500 and len(_slept) == 2
    assert "sendMessage" in caplog.text
    assert "my private words" not in caplog.text and TOKEN not in caplog.text
    await client.close()


async def test_a_client_error_is_not_retried(client, fake_api):
    fake_api.fail_next("sendMessage", 400)
    with pytest.raises(TelegramApiError):
        await client.call("sendMessage", {"chat_id": 1, "text": "hi"})
    assert _slept == []
    await client.close()


async def test_network_errors_are_retried_and_never_show_the_token(caplog):
    unreachable = TelegramClient(
        TOKEN, "http://127.0.0.1:9", RetryPolicy(attempts=3), sleep=_record_sleep
    )
    with caplog.at_level(logging.WARNING), pytest.raises(TelegramApiError) as error:
        await unreachable.call("getMe")
    assert error.value.error_code == 599 and _slept == [0.5, 1.0]
    assert TOKEN not in caplog.text and TOKEN not in str(error.value)
    await unreachable.close()


def test_the_client_works_in_one_event_loop_after_another(fake_api):
    """Rasa's connector binds its session to a loop that is then closed ("Event loop is closed")."""
    client = TelegramClient(TOKEN, fake_api.base_url)
    assert asyncio.run(client.call("getMe"))["is_bot"] is True
    assert asyncio.run(client.call("getMe"))["is_bot"] is True


async def test_output_splits_long_replies_and_puts_buttons_under_the_last_part(client, fake_api):
    output = TelegramOutput(client, PayloadCodec())
    start = fake_api.mark()
    await output.send_text_with_buttons(
        "42", paragraphs(8, 900), [{"title": "OK", "payload": "/affirm"}]
    )
    sent = [call.params for call in fake_api.since(start)]
    assert len(sent) > 1 and all(
        params["chat_id"] == "42" and "parse_mode" not in params for params in sent
    )
    assert [("reply_markup" in params) for params in sent] == [False] * (len(sent) - 1) + [True]
    assert sent[-1]["reply_markup"] == {
        "inline_keyboard": [[{"text": "OK", "callback_data": "/affirm"}]]
    }
    await client.close()


async def test_output_sends_images_ignores_custom_json_and_survives_failures(client, fake_api):
    output = TelegramOutput(client, PayloadCodec())
    start = fake_api.mark()
    await output.send_custom_json("42", {"widget": "quick-exit"})
    await output.send_image_url("42", "https://example.org/a.png")
    fake_api.fail_next("sendMessage", 403)  # e.g. the person blocked the bot: logged, not raised
    await output.send_text_message("42", "hello")
    assert [(call.method, call.status) for call in fake_api.since(start)] == [
        ("sendPhoto", 200),
        ("sendMessage", 403),
    ]
    await client.close()


def test_the_set_webhook_command(fake_api, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_API_BASE", fake_api.base_url)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_URL", raising=False)
    assert telegram_setup.main(["set-webhook"]) == 2
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "http://not-https.example.org/hook")
    assert telegram_setup.main(["set-webhook"]) == 2
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", WEBHOOK_URL)
    assert telegram_setup.main(["set-webhook"]) == 0
    assert fake_api.calls_to("setWebhook")[-1].params["url"] == WEBHOOK_URL
    assert telegram_setup.main(["webhook-info"]) == 0
    assert f"url: {WEBHOOK_URL}" in capsys.readouterr().out


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
