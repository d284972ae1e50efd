"""Connections and blocks over the API: the same service verbs as the pages."""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id, MemberSummarySchema, member_summary
from community.auth.models import User
from community.connections import services
from community.connections.models import Connection
from community.extensions import db
from community.profiles.services import load_profiles

blp = Blueprint("connections_api", __name__, description="Connections and blocks")


class ConnectionSchema(ma.Schema):
    id = Id(required=True)
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["accepted", "pending"]),
        metadata={"example": "pending"},
    )
    direction = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["incoming", "outgoing", "mutual"]),
        metadata={"description": "incoming: they asked me; outgoing: I asked; mutual: connected"},
    )
    message = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    member = ma.fields.Nested(MemberSummarySchema, required=True)


class ConnectionListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ConnectionSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class ConnectionRequestSchema(ma.Schema):
    user_id = Id(required=True)
    message = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=services.MAX_REQUEST_MESSAGE)
    )


class BlockRequestSchema(ma.Schema):
    user_id = Id(required=True)


class BlockSchema(ma.Schema):
    user_id = Id(required=True)
    display_name = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null when you could not see their profile before the block"},
    )


class BlockListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(BlockSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


def _block(member: User, sight: services.Sight) -> dict:
    shown = sight != services.Sight.NONE
    return {"user_id": member.id, "display_name": member.display_name if shown else None}


def _serialise(
    me: User, connection: Connection, other: User, profile, sight: services.Sight
) -> dict:
    seen = services.as_seen_by(me.id, connection)
    return {
        "id": connection.id,
        "status": seen.status,
        "direction": seen.direction,
        "message": connection.message,
        "created_at": connection.created_at,
        "member": member_summary(other, profile, connected=seen.direction == "mutual", sight=sight),
    }


def _present(connection: Connection) -> dict:
    """One connection as the API shows it to the current user."""
    me = api_user()
    other = db.session.get(User, connection.other_id(me.id))
    sight = services.sights(me, [(connection, other)])[other.id]
    return _serialise(me, connection, other, load_profiles([other.id]).get(other.id), sight)


class PageQuerySchema(ma.Schema):
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=100))


@blp.get("/connections")
@token_required
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, ConnectionListSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_connections(query: dict):
    """My connections and open requests both ways, newest first."""
    me = api_user()
    page = services.connection_page(me, query["cursor"], query["limit"])
    profiles = load_profiles([other.id for _c, other in page.items])
    shown = services.sights(me, page.items)
    return {
        "items": [
            _serialise(me, c, other, profiles.get(other.id), shown[other.id])
            for c, other in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@blp.post("/connections")
@token_required
@blp.arguments(ConnectionRequestSchema)
@blp.response(201, ConnectionSchema)
@blp.alt_response(404, description="No such member, or one you cannot reach")
@blp.alt_response(409, description="Already connected or already asked")
@blp.doc(**TOKEN_DOC)
def create_connection(body: dict):
    """Ask a member to connect (if they already asked me, this accepts their request)."""
    connection = services.send_request(api_user(), body["user_id"], body["message"])
    db.session.commit()
    return _present(connection)


@blp.post("/connections/<int:connection_id>/accept")
@token_required
@blp.response(200, ConnectionSchema)
@blp.alt_response(404, description="No such request to me")
@blp.doc(**TOKEN_DOC)
def accept_connection(connection_id: int):
    """Accept a request someone sent me."""
    connection = services.accept_request(api_user(), connection_id)
    db.session.commit()
    return _present(connection)


@blp.post("/connections/<int:connection_id>/decline")
@token_required
@blp.response(204)
@blp.alt_response(404, description="No such request to me")
@blp.doc(**TOKEN_DOC)
def decline_connection(connection_id: int):
    """Decline a request quietly (the requester is not told)."""
    services.decline_request(api_user(), connection_id)
    db.session.commit()


@blp.delete("/connections/<int:connection_id>")
@token_required
@blp.response(204)
@blp.alt_response(404, description="No such connection of mine")
@blp.alt_response(409, description="A request to me: decline it instead")
@blp.doc(**TOKEN_DOC)
def delete_connection(connection_id: int):
    """Withdraw my request, or end a connection."""
    services.withdraw_or_remove(api_user(), connection_id)
    db.session.commit()


@blp.get("/blocks")
@token_required
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, BlockListSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_blocks(query: dict):
    """The members I blocked, newest first (a name only where I could see their profile)."""
    page = services.my_blocks(api_user(), query["cursor"], query["limit"])
    return {
        "items": [_block(member, sight) for member, sight in page.items],
        "next_cursor": page.next_cursor,
    }


@blp.post("/blocks")
@token_required
@blp.arguments(BlockRequestSchema)
@blp.response(201, BlockSchema)
@blp.alt_response(404, description="No such member")
@blp.doc(**TOKEN_DOC)
def create_block(body: dict):
    """Block a member: they can no longer see or find me, connect or message me."""
    me = api_user()
    row = services.block(me, body["user_id"])
    db.session.commit()
    other = db.session.get(User, row.blocked_id)
    return _block(other, services.block_sights(me, [other])[other.id])


@blp.delete("/blocks/<int:user_id>")
@token_required
@blp.response(204)
@blp.alt_response(404, description="I have not blocked this member")
@blp.doc(**TOKEN_DOC)
def delete_block(user_id: int):
    """Lift my block."""
    if not services.unblock(api_user(), user_id):
        abort(404)
    db.session.commit()
