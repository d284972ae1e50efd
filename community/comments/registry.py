"""The subjects comments can hang on, registered by the features that own them.

The comments component never imports a feature: each feature registers its subject kind
once (events in `community/events/comments.py`, posts next), saying how to load a subject
for a viewer (NotFound when they may not see it), who may moderate comments on it besides
moderators and admins (who always may), whether it takes new comments, where its page is,
and who hears of a new comment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from community.auth.models import User
from community.core.errors import NotFound


@dataclass(frozen=True)
class SubjectKind:
    """How the comments component deals with one kind of subject.

    `load(viewer, id)` returns the subject or raises NotFound (missing or hidden alike);
    `can_moderate(viewer, subject)` says whether the viewer hosts it (may remove comments);
    `closed(subject)` gives the reason new comments are refused, or None while open;
    `url(subject)` is its page (comments link back to it); `owner_id(subject)` is who hears
    of a new comment ("comment.new"); `title(subject)` names it in notifications;
    `owner_label()` is the chip beside its owner's comments ("Host" for an event's
    organiser, "Author" for a post's writer).
    """

    name: str
    load: Callable[[User, int], Any]
    can_moderate: Callable[[User, Any], bool]
    closed: Callable[[Any], str | None]
    url: Callable[[Any], str]
    owner_id: Callable[[Any], int]
    title: Callable[[Any], str]
    owner_label: Callable[[], str] = lambda: _("Host")


_KINDS: dict[str, SubjectKind] = {}


def register(kind: SubjectKind) -> None:
    """Make `kind` commentable. Called once per feature at import time."""
    _KINDS[kind.name] = kind


def kind_of(name: str) -> SubjectKind:
    """The registered kind `name`; NotFound for anything else (a URL naming no subject)."""
    kind = _KINDS.get(name)
    if kind is None:
        raise NotFound(_("We could not find that page."))
    return kind
