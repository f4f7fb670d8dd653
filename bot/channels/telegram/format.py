"""Shapes replies for Telegram: splits long text and lays buttons out as an inline keyboard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

TEXT_LIMIT = 4096  # sendMessage's limit, in UTF-16 code units
ROW_WIDTH = 36  # characters of button titles that fit across a phone screen
MAX_BUTTONS_PER_ROW = 5
_BUTTON_PADDING = 2
_SEPARATORS = ("\n\n", "\n", " ")  # best place to cut first: paragraph, then line, then word


def utf16_length(text: str) -> int:
    # Telegram counts UTF-16 code units: an emoji outside the BMP counts twice.
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters from the start of `text` fit in `limit` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most `limit`, cut at a paragraph, line or word boundary when one is in the
    second half."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        end = max(_fitting_prefix(rest, limit), 1)
        if end < len(rest):
            end = _boundary_before(rest, end) or end
        parts.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    return parts


def _boundary_before(text: str, end: int) -> int:
    for separator in _SEPARATORS:
        # A separator starting at `end` still leaves text[:end] within the limit.
        at = text.rfind(separator, 0, end + len(separator))
        if at > end // 2:
            return at
    return 0


def inline_keyboard(
    buttons: Sequence[dict[str, Any]], encode: Callable[[str], str]
) -> list[list[dict[str, str]]]:
    """Rasa buttons as rows of inline buttons, several per row when their titles are short.

    Telegram gives every button in a row the same width, so a row holds as many buttons
    as fit at the width of its longest title.
    """
    rows: list[list[dict[str, str]]] = []
    row_title_width = 0
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "")
        if not title:
            continue
        item = {"text": title, "callback_data": encode(str(button.get("payload") or title))}
        widest = max(row_title_width, len(title))
        row = rows[-1] if rows else []
        if (
            row
            and len(row) < MAX_BUTTONS_PER_ROW
            and (len(row) + 1) * (widest + _BUTTON_PADDING) <= ROW_WIDTH
        ):
            row.append(item)
            row_title_width = widest
        else:
            rows.append([item])
            row_title_width = len(title)
    return rows
