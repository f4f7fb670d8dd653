"""`python -m bot.channels.telegram set-webhook | webhook-info` (see setup.py)."""

from bot.channels.telegram.setup import main

if __name__ == "__main__":
    raise SystemExit(main())
