"""Where the widget's files live, and the few texts the web channel says by itself."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.content import Strict, load_content

WIDGET_DIR = Path(__file__).resolve().parent
DIST_DIR = WIDGET_DIR / "dist"  # written by `npm run build`, never committed
TEXTS_FILE = WIDGET_DIR / "texts.yml"


class ChannelTexts(Strict):
    """What the web channel answers by itself (texts.yml)."""

    message_too_long: str
    message_empty: str
    message_unreadable: str

    def too_long(self, limit: int) -> str:
        return self.message_too_long.format(limit=limit)


@cache
def load_texts(path: Path = TEXTS_FILE) -> ChannelTexts:
    return load_content(path, ChannelTexts)
