"""Posts take comments through the comments component (`community.comments`).

Registered when the posts package is imported: who may see a post's comments is who may
see the post (`services.get_visible_post`); the organisers of its group remove comments
(as moderators and admins always may); a post always takes new comments. The component
tells the post's author of each new comment ("comment.new").
"""

from __future__ import annotations

from flask_babel import gettext as _

from community.comments.registry import SubjectKind, register
from community.core.urls import site_path
from community.posts import services
from community.posts.services import SUBJECT

register(
    SubjectKind(
        name=SUBJECT,
        load=services.get_visible_post,
        can_moderate=services.can_remove,
        closed=lambda post: None,
        url=lambda post: site_path("posts.show", post_id=post.id),
        owner_id=lambda post: post.author_id,
        title=lambda post: post.title,
        owner_label=lambda: _("Author"),
    )
)
