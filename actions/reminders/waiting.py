"""Prints a check-in that came due for a shell conversation (bot/scripts/shell.sh, at start).

The due time is left in place: the greeting asks whether to do the check-in now.
"""

from __future__ import annotations

import sys

from actions.persistence.access import reminder_store
from actions.persistence.repository import StorageUnavailable
from actions.reminders.texts import texts
from actions.reminders.words import day_name


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m actions.reminders.waiting <conversation id>", file=sys.stderr)
        return 2
    try:
        reminder = reminder_store().waiting(argv[0])
    except StorageUnavailable:
        return 0  # the shell starts anyway; the greeting will show it when it can
    if reminder is not None:
        print(texts().shell_waiting.format(day=day_name(reminder.weekday)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
