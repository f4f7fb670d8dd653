""" "Export my data" includes the conversation itself, every session of it, as the tracker
store keeps it."""

from __future__ import annotations

import json
import os

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.dialogue.moves import export_data
from actions.dialogue.turn import Turn
from bot.paths import REPO_ROOT
from bot.tracker_store import ForgettingSQLTrackerStore


async def store_conversation(sender: str) -> None:
    domain = Domain.load(str(REPO_ROOT / "domain.yml"))
    store = ForgettingSQLTrackerStore(domain, host=os.environ["TRACKER_DATABASE_URL"])
    tracker = store.init_tracker(sender)
    for event in [
        UserUttered("he pushed me last night", timestamp=1000.0),
        BotUttered("Thank you for telling me.", timestamp=1001.0),
        SessionStarted(timestamp=9000.0),
        UserUttered("hi again", timestamp=9001.0),
        BotUttered("Welcome back.", timestamp=9002.0),
    ]:
        tracker.update(event)
    await store.save(tracker)
    store.engine.dispose()


async def test_the_export_includes_every_session_of_the_conversation(repo, make_tracker):
    await store_conversation("person-1")
    dispatcher = CollectingDispatcher()
    export_data(Turn(dispatcher, make_tracker("export my data", "export_my_data")))
    [message] = dispatcher.messages
    assert message["response"] == "utter_data_export"
    conversation = json.loads(message["export"])["conversation"]
    assert [(m["from"], m["text"]) for m in conversation] == [
        ("you", "he pushed me last night"),
        ("assistant", "Thank you for telling me."),
        ("you", "hi again"),
        ("assistant", "Welcome back."),
    ]
    assert conversation[0]["at"].startswith("1970-01-01T00:16:40")


def test_before_anything_is_stored_the_conversation_is_empty(repo, make_tracker):
    dispatcher = CollectingDispatcher()
    export_data(Turn(dispatcher, make_tracker("export my data", "export_my_data")))
    assert json.loads(dispatcher.messages[0]["export"]) == {"conversation": []}
