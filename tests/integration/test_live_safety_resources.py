"""End to end over REST: local numbers from the country named in words, youth services and
no couple exercise for a teenager, and text alone (no links payload) on REST."""

from __future__ import annotations

import pytest

from tests.support.live import LiveServers

pytestmark = pytest.mark.live


@pytest.fixture
def servers(shared_servers: LiveServers) -> LiveServers:
    return shared_servers


def test_the_country_said_in_words_brings_its_numbers(servers):
    chat = servers.chat("region-words")
    chat.say("my boyfriend slapped me last night when i asked about the texts")
    assert "Hot Peach Pages" in chat.text  # no region yet: the international services
    assert not any("custom" in message for message in chat.last)  # REST: text only
    chat.press("I'm safe right now")
    assert "which country" in chat.text.lower()
    chat.say("I'm in Dublin")
    assert "1800 341 900" in chat.text  # abuse was disclosed: the abuse lines of Ireland
    assert "Men's Aid Ireland" in chat.text and "LGBT Ireland" in chat.text


def test_a_teenager_gets_youth_services_and_no_couple_exercise(servers):
    chat = servers.chat("teenager")
    chat.say("I'm 16 and my boyfriend hit me when i said i wanted to see my friends")
    assert "childhelplineinternational.org" in chat.text
    chat.press("I'm safe right now")
    chat.say("I'm in the UK")
    assert "Childline: under 19s, call 0800 1111" in chat.text
    chat.say("how can i tell if i can trust him again")
    assert "made for adults" in chat.text or "written for adults" in chat.text
    assert "Question 1 of" not in chat.text
