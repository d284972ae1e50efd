"""Demo connections: members ask a few neighbours; most say yes, some requests wait."""

from __future__ import annotations

from sqlalchemy import func, select

from community.connections import services as connections
from community.connections.models import Connection, ConnectionStatus
from community.core.errors import ServiceError
from community.demo import DemoContext
from community.extensions import db


def seed(context: DemoContext) -> None:
    """Each member asks two others in the same city; 70% of the requests are accepted."""
    rng, users = context.rng, context.users
    # Connections: each member asks a few others in the same city; most say yes.
    for user in users:
        city = context.cities[user.id]
        same_city = [u for u in users if u is not user and context.cities[u.id] == city]
        for other in rng.sample(same_city, k=2):
            try:
                connection = connections.send_request(user, other.id, "Hello from a neighbour!")
            except ServiceError:
                continue
            if connection.status == ConnectionStatus.PENDING and rng.random() < 0.7:
                connections.accept_request(other, connection.id)
    counts = dict(
        db.session.execute(
            select(Connection.status, func.count()).group_by(Connection.status)
        ).all()
    )
    context.summary.append(
        f"{counts.get('accepted', 0)} connections, {counts.get('pending', 0)} pending requests"
    )
