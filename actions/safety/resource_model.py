"""The schema of resources.yml: regions, their services by kind, and the wording of a line.

Checks that a misprint would otherwise carry to a person in distress: a `tel:`/`sms:` link
whose digits are not the number shown, a link that is not https, a region without a kind.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import root_validator, validator

from bot.content import Strict

# Every region lists each kind, or says why there is none.
KINDS = ("crisis", "abuse", "text", "men", "lgbtq", "youth", "teen_dating")
TEL = re.compile(r"^tel:\+?[0-9]{2,15}$")
SMS = re.compile(r"^sms:\+?[0-9]{2,15}$")
HTTPS = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _https(value: str | None) -> str | None:
    if value is not None and not HTTPS.match(value):
        raise ValueError(f"{value!r} is not an https:// address")
    return value


class Service(Strict):
    name: str
    how: str  # shown after the name: "call 116 123, free"
    number: str | None = None  # as written locally
    tel: str | None = None
    sms: str | None = None
    chat: str | None = None  # a page to chat or message from
    web: str | None = None
    hours: str | None = None

    _web = validator("web", "chat", allow_reuse=True)(_https)

    @validator("tel")
    def _tel(cls, value: str | None) -> str | None:
        if value is not None and not TEL.match(value):
            raise ValueError(f"{value!r} is not a tel: link of digits")
        return value

    @validator("sms")
    def _sms(cls, value: str | None) -> str | None:
        if value is not None and not SMS.match(value):
            raise ValueError(f"{value!r} is not an sms: link of digits")
        return value

    @root_validator(skip_on_failure=True)
    def _consistent(cls, values: dict) -> dict:
        number, tel, sms = values.get("number"), values.get("tel"), values.get("sms")
        if not (tel or sms or values.get("chat") or values.get("web")):
            raise ValueError(f"{values['name']}: needs a number, a chat page or a web link")
        if number is not None:
            if number not in values["how"] and number not in values["name"]:
                raise ValueError(f"{values['name']}: `how` must show the number {number!r}")
            if tel is None and sms is None and values.get("chat") is None:
                raise ValueError(f"{values['name']}: number {number!r} needs a tel, sms or chat")
        if tel is not None and (number is None or digits(tel) != digits(number)):
            raise ValueError(f"{values['name']}: {tel} does not dial the number shown")
        return values

    @property
    def can_text(self) -> bool:
        """Reachable without speaking: by text message or a chat page."""
        return bool(self.sms or self.chat)


class NoneExists(Strict):
    none: str  # why this region has no such service


class Emergency(Strict):
    number: str  # as written locally, may name two: "110 (police) or 112"
    tel: str
    note: str | None = None

    @root_validator(skip_on_failure=True)
    def _dials_shown(cls, values: dict) -> dict:
        if not TEL.match(values["tel"]) or digits(values["tel"]) not in digits(values["number"]):
            raise ValueError(f"emergency {values['tel']!r} is not one of {values['number']!r}")
        return values


class Region(Strict):
    name: str
    source: str
    checked: dt.date
    emergency: Emergency
    crisis: list[Service] | NoneExists
    abuse: list[Service] | NoneExists
    text: list[Service] | NoneExists
    men: list[Service] | NoneExists
    lgbtq: list[Service] | NoneExists
    youth: list[Service] | NoneExists
    teen_dating: list[Service] | NoneExists

    @validator(*KINDS)
    def _not_empty(cls, value):
        if isinstance(value, list) and not value:
            raise ValueError("list at least one service, or say `none: <why>`")
        return value

    def services(self, kind: str) -> list[Service]:
        listed = getattr(self, kind)
        return listed if isinstance(listed, list) else []


class Shown(Strict):
    crisis: list[str]
    abuse: list[str]
    minor_first: list[str]
    one_line: list[str]

    @validator("*", each_item=True)
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"{value!r} is not one of {KINDS}")
        return value


class Wording(Strict):
    line: str
    hours: str
    site: str
    emergency: str
    emergency_note: str
    call_label: str
    text_label: str
    chat_label: str


class Resources(Strict):
    default_region: str
    shown: Shown
    wording: Wording
    regions: dict[str, Region]

    @root_validator(skip_on_failure=True)
    def _default_listed(cls, values: dict) -> dict:
        if values["default_region"] not in values["regions"]:
            raise ValueError(f"default_region {values['default_region']!r} is not listed")
        return values
