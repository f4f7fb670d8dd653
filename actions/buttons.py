"""Buttons whose payload goes straight to an intent, so a tap needs no NLU."""

from __future__ import annotations

import json


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    """A button whose payload triggers `intent` directly (no NLU), with optional entities."""
    payload = f"/{intent}"
    if entities:
        payload += json.dumps(entities, separators=(",", ":"))
    return {"title": title, "payload": payload}
