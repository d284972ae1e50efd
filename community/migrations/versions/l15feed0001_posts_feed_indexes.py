"""posts feed indexes

Revision ID: l15feed0001
Revises: i15search001
Create Date: 2026-11-30 03:30:00

The feed's filters by kind, city and group get indexes ending in (created_at, id), the
feed's keyset order, in place of their one-column indexes: a filtered page is then a seek
in newest-first order instead of a sort of every matching post (page 1 of `?kind=request`
at 100,000 posts: 50 ms to 6 ms on SQLite, `bench/feed.py`). The leading column still
serves every lookup the old indexes served (the group's foreign key included).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'l15feed0001'
down_revision = 'i15search001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posts_kind'))
        batch_op.drop_index(batch_op.f('ix_posts_city'))
        batch_op.drop_index(batch_op.f('ix_posts_group_id'))
        batch_op.create_index('ix_posts_kind_created', ['kind', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_posts_city_created', ['city', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_posts_group_created', ['group_id', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_group_created')
        batch_op.drop_index('ix_posts_city_created')
        batch_op.drop_index('ix_posts_kind_created')
        batch_op.create_index(batch_op.f('ix_posts_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_city'), ['city'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_kind'), ['kind'], unique=False)
