"""Avatar uploads: decoded and re-encoded by Pillow, so only real pixels are kept (no
metadata such as GPS, no smuggled content), capped in size, stored under a random name and
served with a content type we set. A replaced or removed file is deleted only after the
profile change commits (`core.effects.on_commit`).
"""

from __future__ import annotations

import re
import secrets
import warnings
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from community.core.effects import on_commit
from community.core.errors import BadRequest, Invalid, ServiceError, TooLarge
from community.extensions import db
from community.profiles.models import Profile

MAX_BYTES = 5 * 1024 * 1024
# Pixel caps, checked on the header before anything is decoded. A 512x512 result needs far
# less, but members upload what they have: 12 MP phone photos and 4K/5K screenshots fit in
# 16 MP (decoding that costs about 0.7 s of CPU at worst, as lossless WebP). Baseline JPEGs
# are decoded at 1/2 to 1/8 scale (Image.draft), so 50 MP phone photos cost ~0.15 s;
# progressive ones keep every coefficient in memory whatever the scale, so they get 16 MP.
MAX_PIXELS = 16_000_000
MAX_JPEG_PIXELS = 50_000_000
OUTPUT_SIZE = 512
# Pillow is told these and never runs another format's parser on an upload.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_FORMATS = {"JPEG", "MPO"}  # MPO: a JPEG followed by more pictures, as phones write
NAME_PATTERN = r"[a-f0-9]{32}\.webp"


FIELD = "avatar"


def avatar_dir() -> Path:
    path = Path(current_app.config.get("AVATAR_DIR") or Path(current_app.instance_path) / "avatars")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pixel_cap(image: Image.Image) -> int:
    if image.format in JPEG_FORMATS and not image.info.get("progressive"):
        return MAX_JPEG_PIXELS
    return MAX_PIXELS


def process_avatar(data: bytes) -> bytes:
    """Decode `data`, fix its orientation, crop to a centred square, return WebP bytes."""
    if len(data) > MAX_BYTES:
        raise TooLarge(_("That image is larger than 5 MB. Choose a smaller one."), FIELD)
    if not data:
        raise BadRequest(_("Choose an image file."), FIELD)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                if image.width * image.height > _pixel_cap(image):
                    raise BadRequest(_("That image has too many pixels. Use a smaller one."), FIELD)
                if image.format in JPEG_FORMATS:
                    image.draft(None, (OUTPUT_SIZE, OUTPUT_SIZE))  # decode at reduced scale
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
                square = ImageOps.fit(image, (OUTPUT_SIZE, OUTPUT_SIZE), Image.Resampling.LANCZOS)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        if isinstance(error, ServiceError):
            raise
        raise BadRequest(
            _("That file is not an image we can read. Use a JPEG, PNG, WebP or GIF image."), FIELD
        ) from error
    output = BytesIO()
    square.save(output, "WEBP", quality=85, method=4)
    return output.getvalue()


def write_avatar(name: str, encoded: bytes) -> None:
    """Write a processed avatar atomically (a temporary file, then a rename)."""
    target = avatar_dir() / name
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(encoded)
    tmp.replace(target)


def is_avatar_name(name: str) -> bool:
    """True for names `change_avatar` makes (and so for nothing that could leave the folder)."""
    return re.fullmatch(NAME_PATTERN, name) is not None


def find_profile_by_avatar(name: str) -> Profile | None:
    """The profile whose current photo is `name` (names are unique), or None."""
    if not is_avatar_name(name):
        return None
    return db.session.scalar(select(Profile).where(Profile.avatar_name == name))


def remove_avatar(name: str) -> None:
    if is_avatar_name(name):
        (avatar_dir() / name).unlink(missing_ok=True)


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
        name = f"{secrets.token_hex(16)}.webp"
        try:
            write_avatar(name, encoded)
        except OSError as error:
            raise Invalid(
                _("We could not store your photo just now. Please try again later."), FIELD
            ) from error
        profile.avatar_name = name
    if old_name and profile.avatar_name != old_name:
        on_commit(remove_avatar, old_name)
