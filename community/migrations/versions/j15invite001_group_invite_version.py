"""group invite link version

Revision ID: j15invite001
Revises: l15feed0001
Create Date: 2026-11-30 03:20:00

`groups.invite_version` is mixed into the keyed hash of a group's invite link; an organiser
raises it to make a new link, and the old one stops working. Existing groups start at 0,
whose link is the one they had before (the hash of the id alone).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'j15invite001'
down_revision = 'l15feed0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invite_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_column('invite_version')
