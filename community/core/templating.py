"""Template helpers available on every page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, has_request_context, request, url_for
from flask_babel import get_locale
from flask_login import current_user


def initials(name: str) -> str:
    """Up to two initials for an avatar placeholder."""
    parts = [part for part in name.split() if part]
    letters = "".join(part[0] for part in parts[:2]) or "?"
    return letters.upper()


AVATAR_COLOURS = 8


def avatar_colour(name: str) -> int:
    """A stable palette index derived from a name, so initials sit on a consistent colour.

    A class (`avatar--c3`), not an inline style: the CSP allows no inline styles.
    """
    return sum(ord(ch) * (index + 1) for index, ch in enumerate(name)) % AVATAR_COLOURS


def retry_after_time(seconds: int) -> str:
    """The clock time (HH:MM UTC) at which a rate-limited visitor may try again."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%H:%M")


def page_url(param: str, cursor: str) -> str:
    """This page's address with `param` set to `cursor`, keeping its other query values
    (the pagination macro calls it for its Newer and Older links)."""
    # url_for reads keys such as _anchor or _scheme as its own options: drop those.
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if not k.startswith("_")}
    args[param] = [cursor]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def page_lang() -> str:
    """The language of this page for `<html lang>`."""
    return str(get_locale() or "en").replace("_", "-")


def init_app(app: Flask) -> None:
    """Called by create_app: template globals and the logout form for the navigation."""
    app.jinja_env.globals.update(
        initials=initials,
        avatar_colour=avatar_colour,
        page_lang=page_lang,
        retry_after_time=retry_after_time,
        page_url=page_url,
    )

    @app.context_processor
    def navigation_context():
        from community.auth.forms import LogoutForm
        from community.auth.roles import Role

        # Outside a request (mail rendered by a CLI command such as send-reminders) there
        # is no current user and no page around the template.
        logged_in = has_request_context() and current_user.is_authenticated
        return {
            # formdata=None: the form is only shown, and a request's body must not break
            # every page (Flask-WTF would parse it, JSON included, error pages too).
            "logout_form": LogoutForm(formdata=None) if logged_in else None,
            "Role": Role,
        }
