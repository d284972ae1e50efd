"""POST /api/v1/tokens (log in, get a token) and DELETE /api/v1/tokens/current."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, revoke_current, token_required
from community.auth import services as accounts
from community.auth.api_tokens import MAX_TOKEN_NAME, issue_token
from community.auth.limits import (
    failed_logins_per_account,
    failed_logins_per_device,
    failed_logins_per_ip,
)
from community.auth.passwords import MAX_LENGTH as MAX_PASSWORD_LENGTH
from community.auth.services import MAX_EMAIL
from community.extensions import db

blp = Blueprint("tokens", __name__, description="API tokens: log in and out")


class TokenRequest(ma.Schema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=MAX_EMAIL))
    password = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=MAX_PASSWORD_LENGTH)
    )
    name = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=MAX_TOKEN_NAME),
        metadata={"example": "My phone"},
    )


class TokenResponse(ma.Schema):
    token = ma.fields.String(required=True)


@blp.post("/tokens")
@failed_logins_per_account
@failed_logins_per_device
@failed_logins_per_ip
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@blp.alt_response(401, description="Wrong email or password")
@blp.alt_response(403, description="The account is not confirmed or is suspended")
@blp.alt_response(429, description="Too many failed attempts")
def create_token(body: dict):
    """Exchange email and password for a bearer token (rate-limited like the login page).

    The same login decision as the page: an unconfirmed account gets a fresh link by mail.
    """
    user = accounts.log_in(body["email"], body["password"])
    token = issue_token(user, body["name"])
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
