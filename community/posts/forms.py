"""Post forms: the feed's filters (GET), the post editor, and the CSRF-only buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, Regexp

from community.core.forms import max_length
from community.groups.models import Group
from community.posts.models import Post, PostKind
from community.posts.queries import PostFilters
from community.posts.services import MAX_BODY, MAX_POST_TAGS, MAX_TITLE, PostData
from community.profiles import reference as ref
from community.profiles.services import MAX_TAG_LENGTH

KIND_LABELS = {
    PostKind.OFFER: _l("Offer"),
    PostKind.REQUEST: _l("Request"),
    PostKind.QUESTION: _l("Question"),
    PostKind.RESOURCE: _l("Resource"),
    PostKind.STORY: _l("Story"),
}
KIND_HINTS = {
    PostKind.OFFER: _l("Offer: I can help with…"),
    PostKind.REQUEST: _l("Request: I am looking for…"),
    PostKind.QUESTION: _l("Question: I would like to know…"),
    PostKind.RESOURCE: _l("Resource: a link or a guide"),
    PostKind.STORY: _l("Story: what worked for me"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _city_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", str(blank))] + [
        SelectChoice(slug, label) for slug, label in ref.city_choices()
    ]


class PostFilterForm(Form):
    """GET filters of the feed (no CSRF: it changes nothing)."""

    kind = SelectField(_l("Kind"), validators=[Optional()])
    tag = StringField(_l("Tag"), filters=[_strip], validators=[max_length(MAX_TAG_LENGTH)])
    city = SelectField(_l("City"), validators=[Optional()])
    group = SelectField(_l("Group"), validators=[Optional()], validate_choice=False)
    connections = BooleanField(_l("Only from my connections"))

    def __init__(self, *args, groups: list[Group] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice("", str(_l("Any kind")))] + [
            SelectChoice(kind.value, str(label)) for kind, label in KIND_LABELS.items()
        ]
        self.city.choices = _city_choices(_l("Any city"))
        self.group.choices = [SelectChoice("", str(_l("Any group or none")))] + [
            SelectChoice(group.slug, group.name) for group in groups
        ]

    def filters(self) -> PostFilters:
        """The filters this form asks for (none when it does not validate)."""
        if not self.validate():
            return PostFilters()
        return PostFilters(
            kind=self.kind.data or "",
            tag=self.tag.data or "",
            city=self.city.data or "",
            group=self.group.data or "",
            connections=bool(self.connections.data),
        )


class PostForm(FlaskForm):
    kind = RadioField(
        _l("What kind of post is this?"),
        validators=[DataRequired(_l("Choose what kind of post this is."))],
    )
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the post a title.")), max_length(MAX_TITLE)],
        description=_l("Short and clear, for example “I can review Danish tax returns”."),
        render_kw={"maxlength": MAX_TITLE},
    )
    body = TextAreaField(
        _l("Your post"),
        validators=[DataRequired(_l("Write what you want to say.")), max_length(MAX_BODY)],
        description=_l(
            "You can use Markdown: *italic*, **bold**, [a link](https://example.org), lists."
        ),
        render_kw={"rows": 8, "maxlength": MAX_BODY},
    )
    tags = StringField(
        _l("Tags"),
        filters=[_strip],
        validators=[max_length(MAX_POST_TAGS * (MAX_TAG_LENGTH + 2))],
        description=_l(
            "Separate them with commas, for example “Danish tax, freelancing”. They are the "
            "same tags members put on their profiles as skills, so the right people find it."
        ),
    )
    city = SelectField(_l("Host city"), validators=[Optional()])
    group_id = SelectField(_l("Group"), validators=[Optional(), Regexp(r"^[0-9]{0,9}$")])

    def __init__(self, *args, groups: list[Group] = (), post: Post | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [
            SelectChoice(kind.value, str(hint)) for kind, hint in KIND_HINTS.items()
        ]
        self.city.choices = _city_choices(_l("No particular city"))
        self.group_id.choices = [SelectChoice("", str(_l("Everyone (no group)")))] + [
            SelectChoice(str(group.id), group.name) for group in groups
        ]
        # A post stays in its group even after its author left it.
        if post is not None and post.group_id and post.group_id not in {g.id for g in groups}:
            self.group_id.choices.append(SelectChoice(str(post.group_id), str(_l("Its group"))))

    @classmethod
    def for_post(cls, post: Post, groups: list[Group]) -> PostForm:
        return cls(
            groups=groups,
            post=post,
            data={
                "kind": post.kind,
                "title": post.title,
                "body": post.body,
                "tags": ", ".join(row.tag.label for row in post.tags),
                "city": post.city or "",
                "group_id": str(post.group_id or ""),
            },
        )

    def post_data(self) -> PostData:
        group = self.group_id.data or ""
        return PostData(
            kind=self.kind.data,
            title=self.title.data,
            body=self.body.data,
            tags=[label for label in (self.tags.data or "").split(",") if label.strip()],
            city=self.city.data or "",
            group_id=int(group) if group else None,
            cleared=set() if group else {"group_id"},
        )


class ActionForm(FlaskForm):
    """A button that changes one thing (helpful, delete, remove): CSRF only."""


class AnswerForm(FlaskForm):
    """The "mark as answer" button under a comment on one's own question."""

    comment_id = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,9}$")])
