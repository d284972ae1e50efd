"""Comment forms: write or reply (the same form, with the comment replied to), edit, and
the plain buttons (delete, remove) that only carry CSRF."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Optional, Regexp

from community.comments.services import MAX_COMMENT_LENGTH
from community.core.forms import max_length

MARKDOWN_HINT = _l(
    "You can use Markdown: *italic*, **bold**, [a link](https://example.org), lists."
)


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        description=MARKDOWN_HINT,
        validators=[DataRequired(_l("Write your comment first.")), max_length(MAX_COMMENT_LENGTH)],
        render_kw={"rows": 4, "maxlength": MAX_COMMENT_LENGTH},
    )
    # The comment this one replies to; empty for a new thread.
    parent_id = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])

    def parent(self) -> int | None:
        data = self.parent_id.data or ""
        return int(data) if data.isascii() and data.isdigit() and len(data) <= 9 else None


class EditCommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        description=MARKDOWN_HINT,
        validators=[DataRequired(_l("Write your comment first.")), max_length(MAX_COMMENT_LENGTH)],
        render_kw={"rows": 6, "maxlength": MAX_COMMENT_LENGTH},
    )


class ActionForm(FlaskForm):
    """A button that changes one thing (delete, remove): CSRF only."""
