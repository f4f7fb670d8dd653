"""Two flags beside the safety verdict, from precise wording only.

``minor``: the person says they are under 18 ("i'm 16", "im only 15", "me (16f)", "i'm in
year 10", "i'm in high school"). Ages of other people, durations ("i'm 16 weeks
pregnant", "together 16 years") and the past ("when i was 16") do not count.

``covert``: a request to monitor a partner without their knowledge: a request ("how can
i", "is there an app to", "i want to") then a monitoring verb, the partner's phone,
messages or location and secrecy ("without him knowing", "secretly"), or a covert tool
the person wants to use (spy app, stalkerware, a hidden tracker). Describing what one did
("i checked his phone") or what a partner does to them ("he put a tracker on my car") is
not a request.
"""

from __future__ import annotations

import re

_AGE = r"(?:1[0-7]|[6-9]|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)"
_NOT_AN_AGE = (
    r"(?!\s*(?:[\d:%]|[.,]\d|weeks?|wks?|months?|days?|hours?|hrs?|minutes?|mins?|seconds?|"
    r"times|am\b|pm\b|kg|lbs?|pounds|stone|st\b|miles?|km|percent|years? (?:in|into|together|"
    r"married|since|with|of|sober|clean)|yrs? (?:in|together|married)|out of|on\b|-\d))"
)
_FIRST_PERSON = r"(?:i\s*am|i'm|i’m|im|i m|i just turned|i turned|i'm turning|im turning)"
MINOR = re.compile(
    r"|".join(
        [
            rf"\b{_FIRST_PERSON}\s+(?:only|just|barely|still|almost|nearly)?\s*{_AGE}\b{_NOT_AN_AGE}",
            rf"\bme\s*\(\s*{_AGE}\s*[mfnb]?\s*\)",
            rf"\bi\s*\(\s*{_AGE}\s*[mfnb]?\s*\)",
            rf"\b{_FIRST_PERSON}\s+(?:a\s+)?{_AGE}\s*(?:years?|yrs?)[\s-]*old\b",
            r"\bi(?:'m|m| am) (?:in|at) (?:year|yr) (?:[6-9]|1[0-3])\b",
            r"\bi(?:'m|m| am) (?:in|at) (?:grade )?(?:[6-9]|1[0-2])(?:st|nd|rd|th) grade\b",
            r"\bi(?:'m|m| am) (?:in|at|still in) (?:middle|high|secondary) school\b",
            r"\bi(?:'m|m| am) (?:a )?(?:freshman|sophomore|junior|senior) in high school\b",
            r"\bi(?:'m|m| am) (?:in|doing) (?:sixth form|my gcses|year 1[0-3])\b",
            r"\bi(?:'m|m| am) (?:only |just |still )?(?:a )?"
            r"(?:minor|teenager|under ?18|underage|under age)\b",
        ]
    ),
    re.IGNORECASE,
)

_REQUEST = (
    r"(?:how (?:do|can|could|would|should|to|might) (?:i|we|you|one)?|is there (?:a|an|any) "
    r"(?:way|app|tool|program|site|trick) (?:to|that|i can|for)|can (?:i|you|u)|could (?:i|you)|"
    r"help me|i (?:want|need|would like|wanna|'d like) to|i'm (?:trying|going|planning) to|"
    r"im (?:trying|going|planning) to|teach me (?:how )?to|tell me how to|show me how to|"
    r"what(?:'s| is) the (?:best|easiest) (?:way|app) to|any (?:way|apps?|tips?) to|"
    r"ways? to|best apps? (?:to|for)|should i)"
)
_GAP = r"(?:\s+(?:secretly|quietly|just|ever|still|somehow|actually|also|remotely|easily))*"
_MONITOR = (
    r"(?:read|see|check|view|access|get into|look (?:at|through)|go through|monitor|track|"
    r"trace|spy on|hack(?: into)?|intercept|mirror|clone|listen to|record|log ?into|follow|"
    r"find out (?:where|who)|keep tabs on|watch|get (?:his|her|their) (?:messages|texts|location))"
)
_PARTNER = (
    r"(?:his|her|their|(?:my )?(?:husband|wife|partner|boyfriend|girlfriend|bf|gf|fianc[eé]e?|"
    r"spouse|ex)(?:'s|s)?)"
)
_THING = (
    r"(?:phone|messages|texts|text messages|whatsapp|emails?|location|snapchat|snaps|"
    r"instagram|insta|dms|chats?|calls?|call log|account|laptop|car|icloud|facebook|"
    r"messenger|browser history|search history|imessages?|telegram|signal|gps|"
    r"conversations|photos|every move|movements)"
)
_SECRET = (
    r"(?:without (?:him|her|them|my \w+|their|his|her)\s*(?:knowing|noticing|finding out|"
    r"seeing|knowledge|permission|consent|realising|realizing)|secretly|in secret|"
    r"behind (?:his|her|their) back|so (?:he|she|they) (?:won't|wont|will not|doesn't|doesnt|"
    r"don't|dont|can't|cant|never) (?:know|notice|find out|see|realise|realize)|"
    r"without (?:telling|asking) (?:him|her|them)|undetected|unnoticed|discreetly|on the sly|"
    r"(?:he|she|they) (?:won't|wont|can't|cant|doesn't|doesnt) (?:know|find out|notice)|"
    r"without (?:him|her|them) (?:being aware|having a clue)|unknown to (?:him|her|them))"
)
_TOOL = (
    r"(?:spy ?(?:app|ware|software|camera|cam)|spyware|stalkerware|keylogger|key logger|"
    r"hidden (?:camera|cam|tracker|app|microphone|mic)|(?:gps )?tracker|tracking (?:app|device)|"
    r"air ?tags?|tile tracker|monitoring app|phone monitoring)"
)
_PLACE = r"(?:install|put|hide|plant|use|get|buy|set up|slip|attach|stick|download|sneak)"
COVERT = re.compile(
    rf"\b{_REQUEST}{_GAP}\s+{_MONITOR}\b.{{0,40}}?\b{_PARTNER}\s+{_THING}\b.{{0,60}}?\b{_SECRET}"
    rf"|\b{_REQUEST}{_GAP}\s+{_MONITOR}\b.{{0,40}}?\b{_SECRET}.{{0,40}}?\b{_PARTNER}\s+{_THING}\b"
    rf"|\b{_REQUEST}{_GAP}\s+{_PLACE}\s+(?:a |an |some |the )?{_TOOL}\b.{{0,40}}?"
    rf"(?:\b(?:on|in|under|into|to)\s+{_PARTNER}\b|{_SECRET}|(?:on|in) (?:him|her|them)\b)"
    rf"|\b{_REQUEST}{_GAP}\s+{_MONITOR}\s+(?:a |an )?(?:cheating|unfaithful|lying)\s+"
    rf"(?:husband|wife|partner|boyfriend|girlfriend|spouse)",
    re.IGNORECASE,
)


def says_minor(text: str) -> bool:
    return bool(MINOR.search(_plain(text)))


def asks_covert_monitoring(text: str) -> bool:
    return bool(COVERT.search(_plain(text)))


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'"))
