"""One home for each name: every place keyed by a theme or a slot agrees with its home
(actions/themes.py, actions/slots.py), and "delete my data" reaches the tracker store."""

from __future__ import annotations

import yaml
from rasa.shared.core.events import Event
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from actions.dialogue.moves import delete_data
from actions.dialogue.turn import Turn
from actions.exercises.catalogue import load_exercises, load_themes
from actions.themes import THEME_INTENTS
from bot.paths import REPO_ROOT
from bot.tracker_store import forget_marker


def _slot_names() -> set[str]:
    return {value for name, value in vars(slots).items() if name.isupper()}


def test_every_slot_the_actions_name_is_declared_in_the_domain_and_back(domain):
    assert _slot_names() == set(domain["slots"]) - {"requested_slot"}


def test_every_theme_has_its_intent_reflection_rule_data_exercise_and_label(domain):
    themes = set(THEME_INTENTS)
    assert len(THEME_INTENTS) == 15 and len(themes) == 15
    assert themes <= set(domain["intents"])
    assert {f"utter_reflect_{theme}" for theme in themes} <= set(domain["responses"])
    assert set(load_exercises()) == themes
    assert set(load_themes()) == themes
    nlu_files = {path.stem for path in (REPO_ROOT / "data" / "nlu").glob("*.yml")}
    assert themes <= nlu_files
    rules = yaml.safe_load((REPO_ROOT / "data" / "rules" / "themes.yml").read_text())["rules"]
    offered = {
        step["intent"]
        for rule in rules
        for step in rule["steps"]
        if "intent" in step and step["intent"] in domain["intents"]
    }
    assert themes <= offered
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text())
    net = next(c for c in config["pipeline"] if c["name"].endswith("SafetyNet"))
    assert set(net["ordinary_intents"]) == themes  # the detector's everyday talk


def test_the_delete_action_sets_exactly_what_the_tracker_store_purges_on(repo, make_tracker):
    """Renaming the slot on one side only would stop the purge silently: this ties them."""
    turn = Turn(CollectingDispatcher(), make_tracker("yes", "affirm"))
    delete_data(turn)
    events = turn.events()
    rasa_events = [Event.from_parameters(event) for event in events]
    assert forget_marker(rasa_events) == len(rasa_events) - 1
    assert forget_marker(rasa_events[:-1]) == -1
