"""Where the widget's files live, and the few texts the web channel says by itself."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

WIDGET_DIR = Path(__file__).resolve().parent
DIST_DIR = WIDGET_DIR / "dist"  # written by `npm run build`, never committed
TEXTS_FILE = WIDGET_DIR / "texts.yml"


@dataclass(frozen=True)
class ChannelTexts:
    message_too_long: str
    message_empty: str

    def too_long(self, limit: int) -> str:
        return self.message_too_long.format(limit=limit)


@cache
def load_texts(path: Path = TEXTS_FILE) -> ChannelTexts:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ChannelTexts(
        message_too_long=data["message_too_long"], message_empty=data["message_empty"]
    )
