"""POST /api/v1/tokens (log in, get a token) and DELETE /api/v1/tokens/current."""

from __future__ import annotations

import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, issue_token, revoke_current, token_required
from community.auth import services as accounts
from community.auth.limits import failed_logins_per_account, failed_logins_per_ip
from community.auth.roles import UserStatus
from community.extensions import db

blp = Blueprint("tokens", __name__, description="API tokens: log in and out")


class TokenRequest(ma.Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=256))
    name = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=80), metadata={"example": "My phone"}
    )


class TokenResponse(ma.Schema):
    token = ma.fields.String(required=True)


@blp.post("/tokens")
@failed_logins_per_account
@failed_logins_per_ip
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@blp.alt_response(401, description="Wrong email or password")
@blp.alt_response(403, description="The account is not confirmed or is suspended")
@blp.alt_response(429, description="Too many failed attempts")
def create_token(body: dict):
    """Exchange email and password for a bearer token (rate-limited like the login page)."""
    user = accounts.authenticate(body["email"], body["password"])
    if user is None:
        g.login_failed = True
        abort(401, description="The email address or password is not right.")
    if user.status != UserStatus.ACTIVE:
        abort(403, description="This account is suspended.")
    if not user.is_confirmed:
        abort(403, description="Confirm your email address first.")
    token = issue_token(user, body.get("name", ""))
    db.session.commit()
    return {"token": token}


@blp.delete("/tokens/current")
@token_required
@blp.response(204)
@blp.doc(**TOKEN_DOC)
def revoke_token():
    """Revoke the token this request was made with."""
    revoke_current()
    db.session.commit()
