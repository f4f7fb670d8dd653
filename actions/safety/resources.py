"""Regional safety resources from resources.yml (loaded on first use)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

RESOURCES_FILE = Path(__file__).resolve().parent / "resources.yml"
KINDS = ("crisis", "abuse")


@lru_cache(maxsize=1)
def _resources() -> dict:
    data = yaml.safe_load(RESOURCES_FILE.read_text(encoding="utf-8"))
    default = data["default_region"]
    for code, region in data["regions"].items():
        missing = [kind for kind in KINDS if not region.get(kind)]
        if missing or not region.get("name"):
            raise ValueError(f"{RESOURCES_FILE.name}: region {code!r} needs a name and {missing}")
    if default not in data["regions"]:
        raise ValueError(f"{RESOURCES_FILE.name}: default_region {default!r} is not listed")
    return data


def known_region(code: str | None) -> str | None:
    return code if code in _resources()["regions"] else None


def region_name(code: str | None) -> str:
    data = _resources()
    return data["regions"][known_region(code) or data["default_region"]]["name"]


def resource_lines(kind: str, region: str | None) -> list[str]:
    data = _resources()
    return list(data["regions"][known_region(region) or data["default_region"]][kind])


def resources_text(kind: str, region: str | None) -> str:
    return "\n".join(f"• {line}" for line in resource_lines(kind, region))
