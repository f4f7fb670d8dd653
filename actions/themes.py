"""The 15 theme intents: a fixed contract (the evaluation uses these names).

This tuple is their one home in code. Everything else keyed by a theme (domain.yml intents
and reflections, data/nlu/<theme>.yml, data/rules/themes.yml, the exercise content files and
actions/exercises/themes.yml) is checked against it by tests/unit/test_names.py.
"""

THEME_INTENTS = (
    "trust_breach",
    "signs_of_eroded_trust",
    "commit_together",
    "honest_communication",
    "forgiveness",
    "transparency_consistency",
    "boundaries_rules",
    "appreciation_respect",
    "regular_check_ins",
    "apology_past_hurts",
    "plan_future",
    "setback",
    "monitor_progress",
    "long_term_trust",
    "professional_help",
)
