"""Role checks for views: the server decides, hiding a button is never the check."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from community.auth.roles import Role


def role_required(role: Role) -> Callable:
    """Decorate a view so only logged-in accounts holding `role` reach it (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
