"""The Telegram connector's parts, offline: settings, the request gate, update parsing,
payloads, formatting, the Bot API client and the output channel against a fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from actions.exercises.catalogue import load_exercises
from actions.themes import THEME_INTENTS
from bot.channels.telegram import setup as telegram_setup
from bot.channels.telegram.api import RetryPolicy, TelegramApiError, TelegramClient
from bot.channels.telegram.format import TEXT_LIMIT, inline_keyboard, split_text, utf16_length
from bot.channels.telegram.output import CollectingOutput, render
from bot.channels.telegram.payloads import CALLBACK_DATA_LIMIT, PayloadCodec, fits_verbatim, key_for
from bot.channels.telegram.settings import DEFAULT_API_BASE, TelegramSettings, connector_texts
from bot.channels.telegram.throttle import ThrottledLog
from bot.channels.telegram.updates import COMMANDS, Kind, admit, as_rasa_text, classify
from tests.support.fake_telegram_api import FakeTelegramApi
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


@pytest.mark.parametrize(
    "body",
    [
        b'{"message": {"text": "hi"}}',
        b'{"update_id": "12", "message": {"text": "hi"}}',
        b'{"update_id": true}',
        b'{"update_id": -1}',
        b'{"update_id": 1.5}',
        b'{"update_id": 1, "message": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"update_id": 1, "message": ' + b'{"a": ' * 30 + b"1" + b"}" * 30 + b"}",
    ],
    ids=["no id", "id a string", "id a bool", "negative", "float", "very deep", "too deep"],
)
def test_an_update_without_a_valid_id_or_nested_too_deep_is_refused(body):
    assert admit(TelegramSettings(TOKEN, SECRET), SECRET, body) == (400, None)


def test_refused_requests_are_logged_at_most_once_a_minute(caplog):
    settings = TelegramSettings(TOKEN, SECRET)
    with caplog.at_level(logging.WARNING):
        for _ in range(50):
            admit(settings, "wrong", b"{}")
    assert len([r for r in caplog.records if "secret token" in r.getMessage()]) <= 1


def test_a_throttled_log_reports_how_many_it_held_back(caplog):
    clock = iter([0.0, 1.0, 2.0, 61.0]).__next__
    log = ThrottledLog(logging.getLogger("test.throttle"), 60, clock)
    with caplog.at_level(logging.WARNING, logger="test.throttle"):
        for _ in range(4):
            log.warning("x", "refused")
    assert [r.getMessage() for r in caplog.records] == [
        "refused",
        "refused (and 2 more like it since the last report)",
    ]


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
        (text_update(1, "  typo'd  ", field="edited_message"), Kind.EDITED, None),
        (callback_update(1, "/affirm"), Kind.BUTTON, "/affirm"),
        (update(message=message(1, **NON_TEXT["sticker"])), Kind.NOT_TEXT, None),
        (update(message=message(1, **NON_TEXT["photo"])), Kind.CAPTION, "look at this"),
        (update(message=message(1, photo=[])), Kind.NOT_TEXT, None),
        (update(message=message(1, **NON_TEXT["voice"])), Kind.VOICE, None),
        (update(message=message(1, contact={"phone_number": "1"})), Kind.CONTACT, None),
        (update(message=message(1, pinned_message={"message_id": 1})), Kind.IGNORED, None),
        (text_update(1, "x" * 4097), Kind.TOO_LONG, None),
        (text_update(1, "x" * 4096), Kind.TEXT, "x" * 4096),
        (text_update(1, "💛" * 2049), Kind.TOO_LONG, None),  # 4098 UTF-16 code units
        (text_update(1, "   "), Kind.EMPTY, None),
        (text_update(1, "/"), Kind.EMPTY, None),
        (text_update(1, "/help"), Kind.HELP, None),
        (text_update(1, "help"), Kind.TEXT, "help"),
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
        ("/start", "/start_conversation"),
        ("/start some-deep-link", "/start_conversation"),
        ("/START@TrustRepairBot", "/start_conversation"),
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
    from actions.buttons import button

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


def test_long_replies_are_split_with_the_buttons_under_the_last_part():
    calls = render(
        "42",
        {"text": paragraphs(8, 900), "buttons": [{"title": "OK", "payload": "/affirm"}]},
        PayloadCodec(),
    )
    sent = [call.params for call in calls]
    assert len(sent) > 1 and all(
        params["chat_id"] == "42" and "parse_mode" not in params for params in sent
    )
    assert [("reply_markup" in params) for params in sent] == [False] * (len(sent) - 1) + [True]
    assert sent[-1]["reply_markup"] == {
        "inline_keyboard": [[{"text": "OK", "callback_data": "/affirm"}]]
    }
    assert calls[-1].has_step_keyboard and not calls[0].has_step_keyboard


RESOURCES = {
    "text": "Samaritans: call 116 123 (free, any time), or text SHOUT to 85258.",
    "custom": {
        "links": [
            {"label": "Samaritans 116 123", "href": "tel:116123"},
            {"label": "Text SHOUT", "href": "sms:85258"},
            {"label": "samaritans.org", "href": "https://www.samaritans.org"},
            {"label": "evil", "href": "javascript:alert(1)"},
            {"label": "plain http", "href": "http://example.org"},
            {"label": "", "href": "https://no-label.example.org"},
        ]
    },
}


def test_links_become_url_buttons_for_https_and_numbers_stay_in_the_text():
    (call,) = render("42", RESOURCES, PayloadCodec())
    assert call.params["text"] == RESOURCES["text"]
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "samaritans.org", "url": "https://www.samaritans.org"}]]
    }
    assert not call.has_step_keyboard  # link buttons do not answer a step


def test_links_go_under_the_answer_buttons_and_other_custom_json_is_not_sent():
    message = {**RESOURCES, "buttons": [{"title": "I'm safe", "payload": "/affirm"}]}
    (call,) = render("42", message, PayloadCodec())
    assert titles(call.params["reply_markup"]["inline_keyboard"]) == [
        ["I'm safe"],
        ["samaritans.org"],
    ]
    assert render("42", {"custom": {"widget": "quick-exit"}}, PayloadCodec()) == []


async def test_the_output_channel_sends_text_buttons_links_and_images_as_one_reply():
    output = CollectingOutput(PayloadCodec())
    await output.send_response("42", dict(RESOURCES))
    await output.send_response("42", {"text": "Look", "image": "https://example.org/a.png"})
    assert [call.method for call in output.calls] == ["sendMessage", "sendMessage", "sendPhoto"]
    assert "reply_markup" in output.calls[0].params


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
