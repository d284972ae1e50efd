"""Notification settings over the API: the same service as /settings/notifications."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.extensions import db
from community.notifications import kinds as registry
from community.notifications import preferences
from community.notifications.preferences import Delivery

blp = Blueprint(
    "notification_settings_api", __name__, description="How each notification kind reaches me"
)

DELIVERIES = [delivery.value for delivery in Delivery]


class KindSettingSchema(ma.Schema):
    kind = ma.fields.String(required=True, metadata={"example": "connection.requested"})
    label = ma.fields.String(required=True)
    category = ma.fields.String(required=True)
    delivery = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(DELIVERIES),
        metadata={
            "description": "app: in the app only; instant: email at once; daily or weekly: "
            "in that digest"
        },
    )
    default = ma.fields.String(required=True, validate=ma.validate.OneOf(DELIVERIES))
    choices = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(DELIVERIES)))


class SettingsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(KindSettingSchema), required=True)


class SettingsUpdateSchema(ma.Schema):
    settings = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(validate=ma.validate.OneOf(DELIVERIES)),
        required=True,
        metadata={
            "description": "kind -> delivery, for the kinds to change; others keep theirs",
            "example": {"connection.requested": "instant", "post.commented": "weekly"},
        },
    )


def _present(user_id: int) -> dict:
    current = preferences.settings_for(user_id)
    default = preferences.defaults()
    return {
        "items": [
            {
                "kind": kind,
                "label": preferences.label(kind),
                "category": registry.kind_of(kind).category,
                "delivery": delivery.value,
                "default": default[kind].value,
                "choices": [choice.value for choice in preferences.choices_for(kind)],
            }
            for kind, delivery in current.items()
        ]
    }


@blp.get("/notification-settings")
@token_required
@blp.response(200, SettingsSchema)
@blp.doc(**TOKEN_DOC)
def get_settings():
    """How each notification kind reaches me (transactional mail is not listed)."""
    return _present(api_user().id)


@blp.put("/notification-settings")
@token_required
@blp.arguments(SettingsUpdateSchema)
@blp.response(200, SettingsSchema)
@blp.alt_response(422, description="An unknown kind, or a delivery that kind does not offer")
@blp.doc(**TOKEN_DOC)
def put_settings(body: dict):
    """Change how some kinds reach me; answers every kind's setting."""
    me = api_user()
    preferences.update_settings(me.id, body["settings"])
    db.session.commit()
    return _present(me.id)
