"""Safety resources (actions/safety/resources.yml): every region has every kind of service or
says why not, the file's checks catch misprints, and what a person sees per need, age,
channel and whether calling is safe."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
import yaml

from actions.safety.resource_model import KINDS, Resources
from actions.safety.resources import (
    RESOURCES_FILE,
    links_payload,
    listing,
    region_name,
    resources,
)
from bot.content import ContentError, validate

REQUIRED_REGIONS = ("us", "uk", "ie", "ca", "au", "nz", "in", "de", "fr", "es", "za")
ALLOWED_HREF = re.compile(r"^(tel:\+?\d+|sms:\+?\d+|https://\S+)$")


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(RESOURCES_FILE.read_text(encoding="utf-8"))


def test_the_file_loads_and_lists_twelve_regions_with_an_international_default():
    data = resources()
    assert set(REQUIRED_REGIONS) <= set(data.regions)
    assert data.default_region == "international"
    assert len(data.regions) >= 12


@pytest.mark.parametrize("code", [*REQUIRED_REGIONS, "international"])
def test_every_region_has_every_kind_or_says_none_exists(raw, code):
    region = raw["regions"][code]
    for kind in KINDS:
        listed = region.get(kind)
        assert listed, f"{code}: {kind} missing"
        if isinstance(listed, dict):
            assert set(listed) == {"none"} and len(listed["none"]) > 10, f"{code}: {kind}"
        else:
            assert all(service.get("name") and service.get("how") for service in listed)
    assert region["source"] and region["checked"] == dt.date(2026, 12, 2)
    assert region["emergency"]["tel"].startswith("tel:")


@pytest.mark.parametrize("code", [*REQUIRED_REGIONS, "international"])
def test_every_region_has_a_crisis_and_an_abuse_service_and_a_youth_one(code):
    region = resources().regions[code]
    for kind in ("crisis", "abuse", "youth"):
        assert region.services(kind), f"{code} has no {kind} service"


def test_the_well_known_numbers_are_the_ones_listed():
    def numbers(code: str, kind: str) -> set[str]:
        return {s.number for s in resources().regions[code].services(kind)}

    assert "988" in numbers("us", "crisis")
    assert "1-800-799-7233" in numbers("us", "abuse")
    assert "1-866-331-9474" in numbers("us", "teen_dating")
    assert "116 123" in numbers("uk", "crisis")
    assert "0808 2000 247" in numbers("uk", "abuse")
    assert "0808 801 0327" in numbers("uk", "men")
    assert "0800 1111" in numbers("uk", "youth")
    assert "13 11 14" in numbers("au", "crisis") and "1800 737 732" in numbers("au", "abuse")
    assert "116 016" in numbers("de", "abuse") and "3919" in numbers("fr", "abuse")
    assert "016" in numbers("es", "abuse") and "024" in numbers("es", "crisis")
    assert "0800 428 428" in numbers("za", "abuse") and "14416" in numbers("in", "crisis")


def _broken(raw: dict, change) -> dict:
    broken = copy.deepcopy(raw)
    change(broken["regions"]["uk"])
    return broken


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda uk: uk["crisis"][0].update(tel="tel:116124"), "does not dial the number shown"),
        (lambda uk: uk["crisis"][0].update(web="http://www.samaritans.org"), "https://"),
        (lambda uk: uk["crisis"][0].update(tel="tel:116-123"), "tel: link of digits"),
        (lambda uk: uk["crisis"][0].update(how="call them"), "must show the number"),
        (lambda uk: uk.pop("men"), "men"),
        (lambda uk: uk.update(lgbtq=[]), "at least one service"),
        (lambda uk: uk["emergency"].update(tel="tel:911"), "emergency"),
        (lambda uk: uk["crisis"][0].update(fax="0800"), "extra fields"),
    ],
)
def test_a_misprint_is_caught_with_the_place_named(raw, change, message):
    with pytest.raises(ContentError) as caught:
        validate(RESOURCES_FILE, _broken(raw, change), Resources)
    assert message in str(caught.value) and "uk" in str(caught.value)


def test_crisis_resources_in_the_uk_read_as_short_lines_with_the_emergency_number_first():
    shown = listing(["crisis"], "uk")
    assert shown.lines[0].startswith("• In immediate danger: call 999")
    assert "press 55" in shown.lines[0]
    assert "• Samaritans: call 116 123, free (24/7) · samaritans.org" in shown.lines
    assert any(line.startswith("• Shout: text SHOUT to 85258") for line in shown.lines)
    assert {"label": "Samaritans 116 123", "href": "tel:116123"} in shown.links
    assert {"label": "samaritans.org", "href": "https://www.samaritans.org"} in shown.links


def test_abuse_resources_show_mens_lgbtq_and_youth_services_one_line_each():
    lines = listing(["abuse"], "uk").lines
    assert sum("Men's Advice Line" in line for line in lines) == 1
    assert sum("Galop" in line for line in lines) == 1
    assert not any("Switchboard" in line for line in lines)  # one line per kind
    assert sum("Childline" in line for line in lines) == 1
    assert all(len(line) < 140 for line in lines)


def test_both_needs_list_crisis_and_abuse_services_each_once():
    text = listing(["crisis", "abuse"], "us").text
    assert "988 Suicide & Crisis Lifeline" in text and "National Domestic Violence" in text
    assert text.count("In immediate danger") == 1
    assert text.count("988 Suicide & Crisis Lifeline") == 1


def test_when_calling_is_not_safe_text_and_chat_come_first_and_links_start_with_sms():
    shown = listing(["abuse"], "us", calling_safe=False)
    firsts = shown.lines[:3]
    assert any("text START to 88788" in line for line in firsts)
    assert any("Crisis Text Line" in line for line in firsts)
    assert shown.lines[-1].startswith("• In immediate danger: call 911")
    assert shown.links[0]["href"].startswith("sms:")
    hotline = [link["href"] for link in shown.links if "Domestic Violence" in link["label"]]
    assert hotline.index("sms:88788") < hotline.index("tel:18007997233")


def test_a_person_under_18_sees_youth_and_teen_dating_services_first():
    lines = listing(["abuse"], "us", minor=True).lines
    assert "Childhelp" in lines[1] and "loveisrespect" in lines[2]
    assert any("National Domestic Violence Hotline" in line for line in lines)
    uk = listing(["abuse"], "uk", minor=True).lines
    assert "Childline" in uk[1] and "Papyrus" in uk[2]  # youth in full, not one line


def test_an_unknown_region_gets_the_international_resources():
    assert listing(["crisis"], "atlantis").text == listing(["crisis"], "international").text
    assert "findahelpline.com" in listing(["crisis"], None).text
    assert region_name(None) == "your country"


@pytest.mark.parametrize("code", [*REQUIRED_REGIONS, "international"])
def test_every_link_uses_an_allowed_scheme(code):
    for needs in (["crisis"], ["abuse"], ["crisis", "abuse"]):
        for safe in (True, False):
            shown = listing(needs, code, minor=not safe, calling_safe=safe)
            assert shown.links and all(ALLOWED_HREF.match(link["href"]) for link in shown.links)
            assert len({link["href"] for link in shown.links}) == len(shown.links)


@pytest.mark.parametrize("channel", ["socketio", "telegram"])
def test_the_widget_and_telegram_get_the_links_in_the_message(channel):
    crisis, abuse = listing(["crisis"], "uk"), listing(["abuse"], "uk", emergency=False)
    payload = links_payload(channel, crisis, abuse)
    links = payload["json_message"]["links"]
    assert links[:3] == crisis.links[:3]
    assert {"label": "Men's Advice Line 0808 801 0327", "href": "tel:08088010327"} in links


@pytest.mark.parametrize("channel", ["rest", "cmdline", None])
def test_the_shell_and_rest_get_only_the_text(channel):
    assert links_payload(channel, listing(["crisis"], "uk")) == {}
