"""`python -m bot.rasa_cli <rasa arguments>`: Rasa's own command line, started quietly
(bot/quiet.py) and with this project's speed-ups installed first (bot/speedups.py). The
Makefile, the scripts, the tests, `make bench` and the scale-out all start Rasa through it,
so they run the same code."""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    from bot.quiet import silence

    silence()
    import rasa.__main__ as rasa_main  # after silence(): its imports warn

    from bot import speedups

    speedups.install()

    configure = rasa_main.configure_logging_and_warnings

    def configure_then_silence(*args: Any, **kwargs: Any) -> None:
        # Rasa puts "once" for every UserWarning in front of all filters; pyparsing's
        # deprecations are UserWarnings too, so ours go in front again.
        configure(*args, **kwargs)
        silence()

    rasa_main.configure_logging_and_warnings = configure_then_silence
    sys.argv[0] = "rasa"
    rasa_main.main()


if __name__ == "__main__":
    main()
