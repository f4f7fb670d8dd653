"""Export and delete from inside the chat."""

from __future__ import annotations

import json

from actions.privacy_actions import ActionDeleteMyData, ActionExportMyData
from tests.support.trackers import responses


async def test_export_shows_everything_stored(repo, make_tracker, dispatcher, domain):
    run_id = repo.start_run("person-1", "rest", "setback", "hurt", "a")
    repo.save_answers(run_id, {"a": {"value": "my own words", "number": None}}, None)
    await ActionExportMyData().run(
        dispatcher, make_tracker("export my data", "export_my_data"), domain
    )
    assert responses(dispatcher) == ["utter_data_export"]
    exported = json.loads(dispatcher.messages[0]["export"])
    assert exported["exercises"][0]["answers"][0]["answer"] == "my own words"


async def test_delete_removes_every_row_and_resets_the_conversation(
    repo, make_tracker, dispatcher, domain
):
    run_id = repo.start_run("person-1", "rest", "setback", "hurt", "a")
    repo.set_abuse_disclosed("person-1", "rest", True)
    events = await ActionDeleteMyData().run(dispatcher, make_tracker("yes", "affirm"), domain)
    assert responses(dispatcher) == ["utter_data_deleted"]
    assert repo.get_run(run_id) is None and repo.export_person("person-1") == {}
    assert events[0] == {"event": "reset_slots", "timestamp": None}
    assert {"event": "slot", "timestamp": None, "name": "data_deleted", "value": True} in events
