"""The Telegram channel: webhook connector (`connector`), Bot API client (`api`), update parsing
(`updates`), reply formatting (`format`, `payloads`), output channel (`output`), settings and
webhook registration (`settings`, `setup`). docs/telegram.md explains how they fit together."""
