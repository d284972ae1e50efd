"""Avatar uploads, by the shared image rules of `core.images` (Pillow re-encode, metadata
stripped, size and pixel caps, random names), cropped to a 512x512 square. A replaced or
removed file is deleted only after the profile change commits (`core.effects.on_commit`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from community.core.images import MAX_BYTES, ImageStore, process_image
from community.extensions import db
from community.profiles.models import Profile

__all__ = ["MAX_BYTES", "change_avatar", "process_avatar"]

OUTPUT_SIZE = 512
FIELD = "avatar"
STORE = ImageStore("AVATAR_DIR", "avatars")


def avatar_dir() -> Path:
    return STORE.directory()


def process_avatar(data: bytes) -> bytes:
    """Decode `data`, fix its orientation, crop to a centred square, return WebP bytes."""
    return process_image(data, (OUTPUT_SIZE, OUTPUT_SIZE), FIELD)


def is_avatar_name(name: str) -> bool:
    """True for names `change_avatar` makes (and so for nothing that could leave the folder)."""
    return STORE.is_name(name)


def find_profile_by_avatar(name: str) -> Profile | None:
    """The profile whose current photo is `name` (names are unique), or None."""
    if not is_avatar_name(name):
        return None
    return db.session.scalar(select(Profile).where(Profile.avatar_name == name))


def change_avatar(profile, encoded: bytes | None, *, remove: bool) -> None:
    """Apply the editor's photo field to `profile`: remove it, replace it with `encoded` (what
    `process_avatar` made of the upload), or leave it.

    Called by the profile editor, which decodes the upload before it changes anything (so no
    write lock is held while Pillow works). The new file is written now, before the commit
    that points the profile at it (a failed write refuses the save; a rolled-back save
    leaves an unreferenced file under a random name); the old file is deleted only once the
    change has committed.
    """
    old_name = profile.avatar_name
    if remove and old_name:
        profile.avatar_name = None
    elif encoded is not None:
        profile.avatar_name = STORE.store(encoded, FIELD)
    if old_name and profile.avatar_name != old_name:
        STORE.remove_after_commit(old_name)
