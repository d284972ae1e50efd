"""The notifications page's buttons (CSRF only, plus the grouped ids a line stands for)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class NotificationForm(FlaskForm):
    """Open, or mark read, one line: `also` lists the other ids a grouped line stands for."""

    also = HiddenField()

    def also_ids(self) -> list[int]:
        """The grouped ids, at most 100 numbers; anything else is ignored."""
        words = (self.also.data or "").split()[:100]
        return [int(word) for word in words if word.isascii() and word.isdigit() and len(word) < 10]
