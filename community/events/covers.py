"""Event cover images: the avatar rules (`core.images`), cropped to a wide 1200x630."""

from __future__ import annotations

from sqlalchemy import select

from community.core.images import ImageStore, process_image
from community.events.models import Event
from community.extensions import db

FIELD = "cover"
SIZE = (1200, 630)
STORE = ImageStore("COVER_DIR", "covers")


def find_event_by_cover(name: str) -> Event | None:
    """The event whose current cover is `name` (names are unique), or None."""
    if not STORE.is_name(name):
        return None
    return db.session.scalar(select(Event).where(Event.cover_name == name))


def process_cover(data: bytes) -> bytes:
    """The upload as a re-encoded WebP without metadata (TooLarge / BadRequest on "cover")."""
    return process_image(data, SIZE, FIELD)


def replace(event: Event, encoded: bytes | None) -> None:
    """Point `event` at a new cover file, or at none. The new file is written and the old
    one deleted once the change commits (`on_commit`): a refused or rolled-back change
    touches no file. Called by `services.set_cover` and `services.remove_cover` only."""
    old = event.cover_name
    event.cover_name = STORE.store_after_commit(encoded) if encoded is not None else None
    if old != event.cover_name:
        STORE.remove_after_commit(old)
