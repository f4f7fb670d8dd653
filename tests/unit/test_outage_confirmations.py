"""Confirmations while the app database is down say what did not happen, never "I couldn't
save that yet" (nothing was being saved) next to a message that claims the opposite."""

from __future__ import annotations

import pytest

from actions.persistence import access
from tests.support.dialogue import Talk

DOWN = "postgresql://postgres@127.0.0.1:1/test"


@pytest.fixture
def talk(repo) -> Talk:
    talk = Talk()
    talk.say('/start_exercise{"exercise":"signs_of_eroded_trust"}')
    talk.press("Often")
    return talk


@pytest.fixture
def outage(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", DOWN)
    access.reset_repository()
    yield
    access.reset_repository()


def test_delete_confirmed_during_an_outage_says_nothing_was_deleted(talk, outage):
    talk.say("delete my data", "delete_my_data")
    talk.say("yes", "affirm")
    assert talk.responses == ["utter_delete_unavailable"]


def test_export_during_an_outage_says_nothing_was_put_together(talk, outage):
    talk.say("export my data", "export_my_data")
    assert talk.responses[0] == "utter_export_unavailable"
    assert "utter_storage_unavailable" not in talk.responses


def test_summaries_during_an_outage_say_they_cannot_be_shown(talk, outage):
    talk.say("show my summaries", "show_summaries")
    assert talk.responses[0] == "utter_summaries_unavailable"


def test_stop_confirmed_during_an_outage_says_it_was_not_recorded(talk, outage):
    talk.say("stop", "stop")
    talk.say("yes", "affirm")
    assert talk.responses[0] == "utter_exercise_stopped_not_recorded"
    assert "utter_storage_unavailable" not in talk.responses
