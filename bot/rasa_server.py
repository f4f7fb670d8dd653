"""The `rasa` command line with this project's speed-ups installed first.

    python -m bot.rasa_server run --model ... [any `rasa` arguments]

bot/speedups.py says what is changed in Rasa and why; `make run`, `make shell`, the tests
and `make bench` start Rasa through this module so they all run the same code.
"""

from __future__ import annotations

import sys


def main() -> None:
    from rasa.__main__ import main as rasa_main

    from bot import speedups

    speedups.install()
    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
