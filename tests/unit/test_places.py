"""Where the person is, read from their words (actions/safety/places.py + places.yml)."""

from __future__ import annotations

import pytest

from actions.safety.places import PLACES_FILE, Places, read_region, stated_region
from actions.safety.resources import known_region
from bot.content import ContentError, load_content, read_yaml, validate


@pytest.mark.parametrize(
    "text, region",
    [
        ("I'm in Dublin", "ie"),
        ("uk", "uk"),
        ("england", "uk"),
        ("Scotland", "uk"),
        ("Northern Ireland", "uk"),
        ("ireland", "ie"),
        ("Aussie here", "au"),
        ("new south wales", "au"),
        ("we live in Toronto", "ca"),
        ("british columbia", "ca"),
        ("Deutschland", "de"),
        ("ich wohne in München", "de"),
        ("I'm in the US", "us"),
        ("USA", "us"),
        ("in the states", "us"),
        ("u.s.", "us"),
        ("us", "us"),
        ("im in the us", "us"),
        ("we're in texas", "us"),
        ("nz", "nz"),
        ("kiwi here", "nz"),
        ("Bengaluru", "in"),
        ("mumbai", "in"),
        ("paris", "fr"),
        ("España", "es"),
        ("barcelona", "es"),
        ("south africa", "za"),
        ("joburg", "za"),
        ("London", "uk"),
        ("im from australia but living in spain now", "es"),
        ("I'm Irish but I live in London", "uk"),
        ("from the UK, now in Spain", "es"),
        ("i'm in brazil", "international"),
        ("somewhere else", "international"),
        ("I\u2019m in Canada", "ca"),
    ],
)
def test_a_place_named_in_reply_to_which_country(text, region):
    assert read_region(text) == region
    assert known_region(region) == region  # every code read has resources


@pytest.mark.parametrize(
    "text",
    [
        "tell us more",
        "help us please",
        "with us",
        "us too",
        "i'd rather not say",
        "english please",
        "",
        None,
    ],
)
def test_words_that_are_not_places_read_as_none(text):
    assert read_region(text) is None


@pytest.mark.parametrize(
    "text, region",
    [
        ("I'm in Dublin and my husband won't let me see my friends", "ie"),
        ("we live in Toronto and he checks my phone every night before bed", "ca"),
        ("Aussie here, my partner took my bank card and my passport", "au"),
        ("uk", "uk"),
    ],
)
def test_a_statement_of_where_one_is_inside_a_message(text, region):
    assert stated_region(text) == region


@pytest.mark.parametrize(
    "text",
    [
        "we met in Paris on holiday and now he hits me",
        "she flew to london for work and cheated with a colleague",
        "my boss is american and so is her husband",
    ],
)
def test_a_place_in_a_story_is_not_taken_as_where_one_is(text):
    assert stated_region(text) is None


def test_a_name_listed_for_two_regions_is_an_error():
    raw = read_yaml(PLACES_FILE)
    raw["regions"]["au"]["names"].append("Dublin")
    with pytest.raises(ContentError, match="'Dublin' is listed for both ie and au"):
        validate(PLACES_FILE, raw, Places)


def test_every_region_in_the_places_file_has_resources():
    places = load_content(PLACES_FILE, Places)
    assert all(known_region(code) == code for code in places.regions)
    assert all(known_region(code) == code for code in places.case_sensitive)


def test_the_nlu_region_entity_uses_the_place_names_and_leaves_demonyms_out():
    from bot.tools.spacy_pipeline import build_pipeline, region_patterns

    nlp = build_pipeline(region_patterns())

    def found(text: str) -> list[tuple[str, str]]:
        return [(ent.text, ent.ent_id_) for ent in nlp(text).ents]

    assert found("I'm in Dublin") == [("Dublin", "ie")]
    assert found("i live in northern ireland") == [("northern ireland", "uk")]
    assert found("we're in the US") == [("US", "us")]
    assert found("tell us about it") == []
    assert found("I'm Irish and I speak French") == []
