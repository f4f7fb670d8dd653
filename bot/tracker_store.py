"""Rasa's SQL tracker store, plus forgetting: "delete my data" also erases the conversation.

Deleting the app's rows is not enough: the tracker store keeps every message the person
typed. When `action_delete_my_data` sets the slot named by `actions.slots.DATA_DELETED`, the
next save deletes every stored event of that conversation (all sessions) and keeps only what
came after the deletion. Everything else is Rasa's SQLTrackerStore unchanged.
"""

from __future__ import annotations

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from actions.slots import DATA_DELETED as FORGET_SLOT


def forget_marker(events) -> int:
    """Index of the last `data_deleted=True` event among `events`, or -1."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, SlotSet) and event.key == FORGET_SLOT and event.value:
            return index
    return -1


class ForgettingSQLTrackerStore(SQLTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        marker = forget_marker(events)
        # The usual case has no marker and costs no extra query. A marker that is already
        # stored (a purged conversation starts with it) does not purge again.
        if marker < 0 or not self._marker_unsaved(tracker):
            await super().save(tracker)
            return
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(
                self.SQLEvent.sender_id == tracker.sender_id
            ).delete()
            session.commit()
        kept = events[marker:]
        await super().save(
            DialogueStateTracker.from_events(tracker.sender_id, kept, slots=self.domain.slots)
        )

    def _marker_unsaved(self, tracker: DialogueStateTracker) -> bool:
        with self.session_scope() as session:
            return forget_marker(list(self._additional_events(session, tracker))) >= 0
