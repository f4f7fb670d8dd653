"""The action server imports every module of the actions package (rasa-sdk walks it): the
scheduler's entry point must not start there, and the new actions must be found."""

from __future__ import annotations

import sys

from rasa_sdk.executor import ActionExecutor


def test_registering_the_actions_package_starts_nothing_and_finds_the_reminder_actions(
    monkeypatch,
):
    monkeypatch.setattr(sys, "argv", ["action_server", "--port", "5055"])
    executor = ActionExecutor()
    executor.register_package("actions")  # raised SystemExit when __main__ ran on import
    assert {
        "action_set_reminder",
        "action_change_reminder",
        "action_show_reminders",
        "action_stop_reminders",
        "action_note_visit",
        "action_show_progress",
    } <= set(executor.actions)
