"""What a person types stays out of INFO+ logs, in both of Rasa's logging styles, even for
a 1 MB message."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import structlog

from bot import log_privacy

SECRET_TEXT = "my husband hit me again " + "x" * (1024 * 1024)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Logging configured the way `rasa run` configures it, writing into a buffer."""
    from rasa.utils.log_utils import configure_structlog

    saved_handlers = logging.getLogger().handlers[:]
    saved_config = structlog.get_config()
    buffer = io.StringIO()
    logging.getLogger().handlers = [logging.StreamHandler(buffer)]
    configure_structlog(logging.INFO)
    logging.getLogger().handlers = [logging.StreamHandler(buffer)]  # basicConfig kept ours
    log_privacy.install()
    token = log_privacy.turn_text.set(SECRET_TEXT)
    yield buffer
    log_privacy.turn_text.reset(token)
    logging.getLogger().handlers = saved_handlers
    structlog.configure(**saved_config)


def test_rasas_structlog_error_with_the_text_is_redacted(captured):
    # What Rasa's REST channel logs when a message fails (rasa/core/channels/rest.py).
    structlog.get_logger().error("rest.message.received.failure", text=SECRET_TEXT)
    output = captured.getvalue()
    assert "rest.message.received.failure" in output
    assert "hit me" not in output and len(output) < 1000


def test_stdlib_messages_and_tracebacks_with_the_text_are_redacted(captured):
    logger = logging.getLogger("rasa.core.processor")
    logger.warning("Could not handle '%s'", SECRET_TEXT)
    try:
        raise ValueError(SECRET_TEXT)
    except ValueError:
        logger.exception("Turn failed")
    output = captured.getvalue()
    assert "Could not handle" in output and "ValueError" in output
    assert "hit me" not in output and len(output) < 5000


def test_debug_is_left_alone_for_someone_debugging(captured):
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger("rasa.core.processor").debug("Received user message '%s'", "hello there")
    assert "hello there" in captured.getvalue()


def test_installing_twice_adds_one_filter(captured):
    log_privacy.install()
    handler = logging.getLogger().handlers[0]
    assert sum(isinstance(f, log_privacy.TurnTextFilter) for f in handler.filters) == 1
    assert structlog.get_config()["processors"].count(log_privacy.redact_structlog_event) == 1
