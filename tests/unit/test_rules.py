"""The rules route what is said when no question waits; the question form reads the rest."""

from __future__ import annotations

import yaml

from bot.paths import REPO_ROOT


def all_rules() -> list[dict]:
    found = []
    for path in sorted((REPO_ROOT / "data" / "rules").glob("*.yml")):
        found += yaml.safe_load(path.read_text()).get("rules") or []
    return found


def test_every_custom_action_is_followed_by_the_question_form():
    """Any move may leave a question waiting; without the form nobody would ask it."""
    for rule in all_rules():
        actions = [step["action"] for step in rule["steps"] if "action" in step]
        if actions[0].startswith("action_"):
            assert actions[1:2] == ["question_form"], rule["rule"]


def test_no_rule_reacts_to_an_intent_while_the_form_is_active():
    """Inside the form every reply is read in context (actions/dialogue/conversation.py):
    a rule conditioned on the active form would read it out of context."""
    for rule in all_rules():
        conditions = rule.get("condition") or []
        if any(c.get("active_loop") == "question_form" for c in conditions):
            assert not any("intent" in step for step in rule["steps"]), rule["rule"]


def test_every_domain_intent_has_a_rule(domain):
    routed = {rule["steps"][0].get("intent") for rule in all_rules()}
    unrouted = set(domain["intents"]) - routed
    assert not unrouted, unrouted
