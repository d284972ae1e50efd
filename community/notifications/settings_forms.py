"""The notification settings form: one choice per kind, built from the kinds registry."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from community.notifications.preferences import Delivery, choices_for, delivery_label


def field_name(kind: str) -> str:
    """A kind's form field name ("connection.requested" -> "connection-requested")."""
    return kind.replace(".", "-")


def notification_settings_form(
    current: Mapping[str, Delivery], labels: Mapping[str, str]
) -> FlaskForm:
    """A form with a select per kind in `current`, set to the member's delivery."""

    class NotificationSettingsForm(FlaskForm):
        pass

    for kind, delivery in current.items():
        setattr(
            NotificationSettingsForm,
            field_name(kind),
            SelectField(
                labels[kind],
                choices=[
                    SelectChoice(choice.value, delivery_label(choice))
                    for choice in choices_for(kind)
                ],
                default=delivery.value,
            ),
        )
    return NotificationSettingsForm()


def chosen(form: FlaskForm, kinds) -> dict[str, str]:
    """kind -> the delivery chosen in a submitted form."""
    return {kind: form[field_name(kind)].data for kind in kinds}
