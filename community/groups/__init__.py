"""Groups: interest and city circles (public or private) with members, posts, events and,
with the chat issue, a chat room.

`models.py` holds the group and its memberships; `access.py` the one rule of who may see
a group and its content, as Python checks and as SQL for lists (posts, events, search).
"""

from flask import Blueprint

# The pages (`routes.py`) build on events, and events read `access.py`: so `create_app`
# imports `community.groups.routes` when it registers this blueprint, not this package.
bp = Blueprint("groups", __name__)
