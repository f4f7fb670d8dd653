"""No turn ends in silence: when storage or the action server fails, the person is told.

Rasa 3.6, left alone, answers a failing turn with nothing at all:
- it wraps every tracker store in `FailSafeTrackerStore`, so a failed read starts a fresh
  conversation (mid-exercise the person is greeted as a stranger) and a failed write is
  kept in memory only, both silently;
- a custom action that cannot run (action server down, too slow, refusing) is logged and
  skipped, and the person gets an empty reply;
- any other error ends the turn with an empty reply (and REST logs the whole message).

The guard removes the FailSafe wrapper from stores that declare `fails_loudly`
(bot/tracker_store.py), and around every message: if the conversation could not be read
or written it says so and asks the person to send their message again (it was not read, so
nothing is half-done); if an action failed it says "something went wrong on my side".
The texts are domain responses, so each channel gets its own variation.

It also installs bot/log_privacy.py, which keeps the message text out of INFO+ logs.

It is installed by the `bot.turn_guard.TurnGuard` entry in credentials.yml (a channel with
no routes), once the agent is loaded.
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError
from sanic import Blueprint

from bot import log_privacy
from bot.tracker_store import ConversationStoreUnavailable

logger = logging.getLogger(__name__)

# A failed read: the message was not read at all. A failed write: the reply was sent, but
# the turn is not kept, so the next message would not follow on from it.
STORE_UNAVAILABLE = {
    "read": "utter_conversation_unavailable",
    "write": "utter_conversation_not_kept",
}
SOMETHING_WENT_WRONG = "utter_something_went_wrong"


@dataclass
class TurnState:
    action_failed: bool = False


_turn: contextvars.ContextVar[TurnState | None] = contextvars.ContextVar("turn", default=None)


def _mark_action_failed() -> None:
    state = _turn.get()
    if state is not None:
        state.action_failed = True


def _unwrap_fail_safe(agent) -> None:
    store = agent.tracker_store
    if isinstance(store, FailSafeTrackerStore) and getattr(
        store._tracker_store, "fails_loudly", False
    ):
        agent.tracker_store = store._tracker_store
        if agent.processor is not None:
            agent.processor.tracker_store = store._tracker_store


def _watch_action_endpoint(endpoint) -> None:
    """Notes, for the current turn, every call to the action server that failed. A 400 is
    rasa-sdk's normal "rejected" answer for forms, not a failure."""
    if endpoint is None or getattr(endpoint, "_watched_by_turn_guard", False):
        return
    request = endpoint.request

    async def watched(*args: Any, **kwargs: Any) -> Any:
        try:
            result = await request(*args, **kwargs)
        except ClientResponseError as error:
            if error.status != 400:
                _mark_action_failed()
            raise
        except Exception:
            _mark_action_failed()
            raise
        if not isinstance(result, dict):
            _mark_action_failed()
        return result

    endpoint.request = watched
    endpoint._watched_by_turn_guard = True


async def say(agent, output_channel: OutputChannel, recipient: str, response: str) -> None:
    tracker = DialogueStateTracker(recipient, agent.domain.slots)
    message = await agent.processor.nlg.generate(response, tracker, output_channel.name())
    if message:
        await output_channel.send_response(recipient, message)


async def guarded_turn(agent, handle, message: UserMessage) -> Any:
    state = TurnState()
    token = _turn.set(state)
    text_token = log_privacy.turn_text.set(message.text)
    try:
        result = await handle(message)
    except ConversationStoreUnavailable as error:
        # Logged by the store. Either way the person is asked to send the message again.
        response = STORE_UNAVAILABLE.get(error.operation, STORE_UNAVAILABLE["read"])
        await say(agent, message.output_channel, message.sender_id, response)
        return None
    except Exception as error:
        # The type only: the message text must not reach the log.
        logger.error("Turn failed: %s", type(error).__name__)
        logger.debug("Turn failure details", exc_info=error)
        await say(agent, message.output_channel, message.sender_id, SOMETHING_WENT_WRONG)
        return None
    finally:
        _turn.reset(token)
        log_privacy.turn_text.reset(text_token)
    if state.action_failed:
        logger.error("Turn answered with an apology: a custom action could not run")
        await say(agent, message.output_channel, message.sender_id, SOMETHING_WENT_WRONG)
    return result


def install(agent) -> None:
    """Guards `agent` (idempotent)."""
    if getattr(agent, "_turn_guard_installed", False):
        return
    log_privacy.install()
    _unwrap_fail_safe(agent)
    if agent.processor is not None:
        _watch_action_endpoint(agent.processor.action_endpoint)
    handle = agent.handle_message

    async def handle_message(message: UserMessage) -> Any:
        return await guarded_turn(agent, handle, message)

    agent.handle_message = handle_message
    agent._turn_guard_installed = True


class TurnGuard(InputChannel):
    """Not a channel people use: its blueprint has no routes, only the listener that guards
    the agent once Rasa has loaded it (Rasa offers no other hook for this)."""

    @classmethod
    def name(cls) -> str:
        return "turn_guard"

    def blueprint(self, on_new_message) -> Blueprint:
        guard = Blueprint("turn_guard")

        @guard.listener("after_server_start")
        async def install_guard(app, _loop) -> None:
            agent = getattr(app.ctx, "agent", None)
            if agent is None:
                logger.error("Turn guard: no agent loaded, turns are not guarded")
                return
            install(agent)

        return guard
