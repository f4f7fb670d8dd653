"""Regional safety resources (resources.yml), rendered for what the person needs.

A listing is the plain text (every channel shows it; the shell and REST only that) and the
tappable links of the channel contract: `custom: {"links": [{"label", "href"}]}` in the same
message, sent only to the widget (socketio) and Telegram.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from actions.safety.resource_model import Region, Resources, Service, digits
from bot.content import load_content

RESOURCES_FILE = Path(__file__).resolve().parent / "resources.yml"
NEEDS = ("crisis", "abuse")
LINK_CHANNELS = frozenset({"socketio", "telegram"})


@lru_cache(maxsize=1)
def resources() -> Resources:
    return load_content(RESOURCES_FILE, Resources)


def known_region(code: str | None) -> str | None:
    return code if code in resources().regions else None


def region_of(code: str | None) -> Region:
    data = resources()
    return data.regions[known_region(code) or data.default_region]


def region_name(code: str | None) -> str:
    return region_of(code).name


@dataclass
class Listing:
    lines: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def link(self, label: str, href: str | None) -> None:
        if href and all(known["href"] != href for known in self.links):
            self.links.append({"label": label, "href": href})


def site_of(url: str) -> str:
    return url.removeprefix("https://").removeprefix("www.").rstrip("/")


def kinds_for(needs: Iterable[str], minor: bool) -> list[str]:
    """The kinds of service to list, in order: a young person's own services first."""
    shown = resources().shown
    kinds = list(shown.minor_first) if minor else []
    for need in needs:
        kinds += getattr(shown, need)
    return list(dict.fromkeys(kinds))


def pick(region: Region, kinds: Sequence[str], minor: bool, calling_safe: bool) -> list[Service]:
    """The services to show: one line for the kinds shown briefly, no service twice, and
    services one can text or chat with first when calling is not safe."""
    shown = resources().shown
    brief = set(shown.one_line) - (set(shown.minor_first) if minor else set())
    picked: list[Service] = []
    seen: set[str] = set()
    for kind in kinds:
        services = region.services(kind)
        if kind in brief:
            # When calling is not safe, every way in without speaking counts, not only one.
            textable = [service for service in services if service.can_text]
            services = services[:1] if calling_safe or not textable else textable
        for service in services:
            key = digits(service.number) if service.number else service.web or service.name
            if key not in seen:
                seen.add(key)
                picked.append(service)
    if not calling_safe:
        picked.sort(key=lambda service: not service.can_text)
    return picked


def add_service(listing: Listing, service: Service, calling_safe: bool) -> None:
    wording = resources().wording
    listing.lines.append(
        wording.line.format(
            name=service.name,
            how=service.how,
            hours=wording.hours.format(hours=service.hours) if service.hours else "",
            site=wording.site.format(site=site_of(service.web)) if service.web else "",
        )
    )
    call = (wording.call_label.format(name=service.name, number=service.number), service.tel)
    text = (wording.text_label.format(name=service.name), service.sms)
    chat = (wording.chat_label.format(name=service.name), service.chat)
    for label, href in [call, text, chat] if calling_safe else [text, chat, call]:
        listing.link(label, href)
    if service.web:
        listing.link(site_of(service.web), service.web)


def add_emergency(listing: Listing, region: Region) -> None:
    wording, emergency = resources().wording, region.emergency
    note = wording.emergency_note.format(note=emergency.note) if emergency.note else ""
    listing.lines.append(wording.emergency.format(number=emergency.number, note=note))
    listing.link(wording.call_label.format(name="", number=emergency.number).strip(), emergency.tel)


def listing(
    needs: Iterable[str],
    region: str | None,
    *,
    minor: bool = False,
    calling_safe: bool = True,
    emergency: bool = True,
) -> Listing:
    """What to show a person who needs `needs` (crisis, abuse or both) in `region`."""
    place = region_of(region)
    result = Listing()
    if emergency and calling_safe:
        add_emergency(result, place)
    for service in pick(place, kinds_for(needs, minor), minor, calling_safe):
        add_service(result, service, calling_safe)
    if emergency and not calling_safe:
        add_emergency(result, place)  # still there, after the ways in without speaking
    return result


def resources_text(needs: str | Iterable[str], region: str | None, **options) -> str:
    return listing([needs] if isinstance(needs, str) else needs, region, **options).text


def links_payload(channel: str | None, *listings: Listing) -> dict:
    """The `utter_message` keyword that carries the links, for the channels that show them."""
    if channel not in LINK_CHANNELS:
        return {}
    merged = Listing()
    for each in listings:
        for link in each.links:
            merged.link(link["label"], link["href"])
    return {"json_message": {"links": merged.links}} if merged.links else {}
