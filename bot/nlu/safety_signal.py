"""The safety verdict: what the rules, the classifier and the risk detector say together.

Pure functions with no Rasa imports, so the NLU component writes the verdict and the
action side reads and combines recent verdicts with the same code.

A verdict (``parse_data["safety"]``, on every text message):

    tier         "clear": the safety response at once; "uncertain": one gentle check
                 question first; "none": nothing to act on
    categories   crisis / abuse that apply (for "uncertain": the suspected ones, most
                 likely first; for "clear": crisis before abuse)
    scores       the detector's calibrated score per category (0..1)
    thresholds   the detector's uncertain / clear threshold per category
    nets         which nets fired: "rules", "nlu" (the intent classifier), "detector"
    minor        the person says they are under 18
    covert       a request to monitor a partner secretly
    classifier   the intent classifier's first guess (name, confidence)
    strongest    per category, the message's most worrying sentence (the message itself
                 when it is one sentence): what the check question quotes
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

CATEGORIES = ("crisis", "abuse")
CLEAR, UNCERTAIN, NONE = "clear", "uncertain", "none"
# How much the previous messages count when the latest one alone is below the threshold:
# the latest fully, the one before at 0.6, the one before that at 0.3.
RECENT_WEIGHTS = (1.0, 0.6, 0.3)
# Responses that answer a safety signal (domain.yml): the messages before them are spent.
ANSWERED_RESPONSES = ("utter_safety_check_", "utter_crisis_", "utter_abuse_")


def decide(
    *,
    rules: Iterable[str] = (),
    nlu: str | None = None,
    scores: Mapping[str, float] | None = None,
    thresholds: Mapping[str, Mapping[str, float]] | None = None,
    minor: bool = False,
    covert: bool = False,
    classifier: dict | None = None,
    strongest: Mapping[str, str] | None = None,
) -> dict:
    scores = {c: float((scores or {}).get(c, 0.0)) for c in CATEGORIES}
    never = {"uncertain": 1.01, "clear": 1.01}  # no detector: its scores never count
    thresholds = {c: dict((thresholds or {}).get(c, never)) for c in CATEGORIES}
    rules = set(rules)
    detector_clear = {c for c in CATEGORIES if scores[c] >= thresholds[c]["clear"]}
    detector_unsure = {c for c in CATEGORIES if scores[c] >= thresholds[c]["uncertain"]}
    clear = rules | ({nlu} if nlu else set()) | detector_clear
    nets = (
        (["rules"] if rules else [])
        + (["nlu"] if nlu else [])
        + (["detector"] if detector_unsure else [])
    )
    if clear:
        # A suspected second category goes with a clear first one: both kinds of resources.
        tier, categories = CLEAR, [c for c in CATEGORIES if c in clear | detector_unsure]
    elif detector_unsure:
        tier = UNCERTAIN
        categories = sorted(detector_unsure, key=lambda c: -scores[c] / thresholds[c]["uncertain"])
    else:
        tier, categories = NONE, []
    return {
        "tier": tier,
        "categories": categories,
        "scores": {c: round(s, 4) for c, s in scores.items()},
        "thresholds": thresholds,
        "nets": nets,
        "minor": bool(minor),
        "covert": bool(covert),
        "classifier": classifier,
        "strongest": dict(strongest or {}),
    }


def combine_recent(verdicts: Sequence[Mapping]) -> dict:
    """The latest verdict, lifted to "uncertain" when the last few messages add up.

    ``verdicts`` are oldest first (the last one is the latest message). Several messages
    that are each a little worrying ("i don't see the point", then "they'd manage without
    me") deserve the check question even when none crosses the threshold alone. The
    combination never makes a signal "clear": only one message can do that.
    """
    if not verdicts:
        return decide()
    latest = dict(verdicts[-1])
    if latest.get("tier") in (CLEAR, UNCERTAIN):
        return latest
    recent = list(reversed(verdicts))[: len(RECENT_WEIGHTS)]
    thresholds = latest.get("thresholds") or {}
    lifted = {}
    for category in CATEGORIES:
        threshold = (thresholds.get(category) or {}).get("uncertain")
        if threshold is None:
            continue
        scores = [float((v.get("scores") or {}).get(category, 0.0)) for v in recent]
        supporting = sum(score >= threshold / 2 for score in scores)
        remaining = 1.0
        for weight, score in zip(RECENT_WEIGHTS, scores, strict=False):
            remaining *= 1.0 - weight * score
        combined = 1.0 - remaining
        if supporting >= 2 and combined >= threshold:
            lifted[category] = combined / threshold
    if not lifted:
        return latest
    latest.update(
        tier=UNCERTAIN,
        categories=sorted(lifted, key=lambda c: -lifted[c]),
        nets=list(latest.get("nets") or []) + ["recent"],
    )
    return latest


def recent_verdicts(events: Iterable[Mapping], count: int = len(RECENT_WEIGHTS)) -> list[dict]:
    """The safety verdicts of the person's last few messages in tracker events, oldest first.

    Stops at the last safety response or check (an ``action_respond_to_*`` or
    ``action_safety_check``, or one of their responses said by another action), so a signal
    already answered is not counted twice.
    """
    found: list[dict] = []
    for event in reversed(list(events)):
        if event.get("event") == "action" and str(event.get("name", "")).startswith(
            ("action_respond_to_", "action_safety_check")
        ):
            break
        said = str((event.get("metadata") or {}).get("utter_action") or "")
        if event.get("event") == "bot" and said.startswith(ANSWERED_RESPONSES):
            break  # the check or the resources, asked from inside another action
        if event.get("event") == "user":
            found.append(((event.get("parse_data") or {}).get("safety")) or decide())
            if len(found) == count:
                break
    return list(reversed(found))
