"""Group cover images: the avatar rules (`core.images`), cropped to a wide 1200x630, as
event covers are; files are written and deleted only after the change commits."""

from __future__ import annotations

from sqlalchemy import select

from community.core.images import ImageStore, process_image
from community.extensions import db
from community.groups.models import Group

FIELD = "cover"
SIZE = (1200, 630)
STORE = ImageStore("GROUP_COVER_DIR", "group-covers")


def find_group_by_cover(name: str) -> Group | None:
    """The group whose current cover is `name` (names are unique), or None."""
    if not STORE.is_name(name):
        return None
    return db.session.scalar(select(Group).where(Group.cover_name == name))


def process_cover(data: bytes) -> bytes:
    """The upload as a re-encoded WebP without metadata (TooLarge / BadRequest on "cover")."""
    return process_image(data, SIZE, FIELD)


def replace(group: Group, encoded: bytes | None) -> None:
    """Point `group` at a new cover file, or at none; the new file is written and the old
    one deleted once the change commits. Called by `services.set_cover` / `remove_cover`."""
    old = group.cover_name
    group.cover_name = STORE.store_after_commit(encoded) if encoded is not None else None
    if old != group.cover_name:
        STORE.remove_after_commit(old)
