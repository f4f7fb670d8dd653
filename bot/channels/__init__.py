"""Custom channel connectors that fix Rasa 3.6's socket.io and Telegram connectors."""
