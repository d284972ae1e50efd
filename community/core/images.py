"""Uploaded images (avatars, event covers): decoded and re-encoded by Pillow, so only real
pixels are kept (no metadata such as GPS, no smuggled content), capped in size, stored under
a random name in a folder of their own and served with a content type we set.

A feature keeps one `ImageStore` and calls `process_image` on the upload before it takes
any row lock. Old files are deleted only once the change has committed
(`core.effects.on_commit`). New files are written either before the commit that points a row
at them (`store`: avatars; a rolled-back change leaves an unreferenced file under a random
name) or after it (`store_after_commit`: event covers; a rolled-back change leaves nothing).
"""

from __future__ import annotations

import re
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from community.core.effects import on_commit
from community.core.errors import BadRequest, Invalid, ServiceError, TooLarge

MAX_BYTES = 5 * 1024 * 1024
# Pixel caps, checked on the header before anything is decoded. Members upload what they
# have: 12 MP phone photos and 4K/5K screenshots fit in 16 MP (decoding that costs about
# 0.7 s of CPU at worst, as lossless WebP). Baseline JPEGs are decoded at 1/2 to 1/8 scale
# (Image.draft), so 50 MP phone photos cost ~0.15 s; progressive ones keep every
# coefficient in memory whatever the scale, so they get 16 MP.
MAX_PIXELS = 16_000_000
MAX_JPEG_PIXELS = 50_000_000
# Pillow is told these and never runs another format's parser on an upload.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_FORMATS = {"JPEG", "MPO"}  # MPO: a JPEG followed by more pictures, as phones write
NAME_PATTERN = r"[a-f0-9]{32}\.webp"


def _pixel_cap(image: Image.Image) -> int:
    if image.format in JPEG_FORMATS and not image.info.get("progressive"):
        return MAX_JPEG_PIXELS
    return MAX_PIXELS


def process_image(data: bytes, size: tuple[int, int], field: str) -> bytes:
    """Decode `data`, fix its orientation, crop it centred to `size`, return WebP bytes.

    TooLarge over 5 MB, BadRequest for an empty upload, too many pixels or anything Pillow
    cannot read as one of the accepted formats; each names `field`.
    """
    if len(data) > MAX_BYTES:
        raise TooLarge(_("That image is larger than 5 MB. Choose a smaller one."), field)
    if not data:
        raise BadRequest(_("Choose an image file."), field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                if image.width * image.height > _pixel_cap(image):
                    raise BadRequest(_("That image has too many pixels. Use a smaller one."), field)
                if image.format in JPEG_FORMATS:
                    image.draft(None, size)  # decode at reduced scale
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
                fitted = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
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
            _("That file is not an image we can read. Use a JPEG, PNG, WebP or GIF image."), field
        ) from error
    output = BytesIO()
    fitted.save(output, "WEBP", quality=85, method=4)
    return output.getvalue()


@dataclass(frozen=True)
class ImageStore:
    """A folder of processed images: `config_key` names it in the config, else
    `instance/<folder>`."""

    config_key: str
    folder: str

    def directory(self) -> Path:
        configured = current_app.config.get(self.config_key)
        path = Path(configured or Path(current_app.instance_path) / self.folder)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def is_name(name: str) -> bool:
        """True for names `store` makes (and so for nothing that could leave the folder)."""
        return re.fullmatch(NAME_PATTERN, name) is not None

    def write(self, name: str, encoded: bytes) -> None:
        """Write a processed image atomically (a temporary file, then a rename)."""
        target = self.directory() / name
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(encoded)
        tmp.replace(target)

    def store(self, encoded: bytes, field: str) -> str:
        """Write `encoded` under a new random name and return it (Invalid on `field` when
        the disk refuses)."""
        name = f"{secrets.token_hex(16)}.webp"
        try:
            self.write(name, encoded)
        except OSError as error:
            raise Invalid(
                _("We could not store your image just now. Please try again later."), field
            ) from error
        return name

    def store_after_commit(self, encoded: bytes) -> str:
        """A new random name for `encoded`, written there once the current transaction
        commits (never if it rolls back, so a refused change leaves no file behind)."""
        name = f"{secrets.token_hex(16)}.webp"
        on_commit(self.write, name, encoded)
        return name

    def remove(self, name: str) -> None:
        if self.is_name(name):
            (self.directory() / name).unlink(missing_ok=True)

    def remove_after_commit(self, name: str | None) -> None:
        """Delete `name` once the current transaction commits (never if it rolls back)."""
        if name:
            on_commit(self.remove, name)
