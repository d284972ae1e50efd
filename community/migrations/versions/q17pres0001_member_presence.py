"""member presence: the hide setting and the database store's last heartbeat

Revision ID: q17pres0001
Revises: m16chat00001
Create Date: 2026-11-30 06:50:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "q17pres0001"
down_revision = "m16chat00001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_presence",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_member_presence_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_member_presence")),
    )
    with op.batch_alter_table("member_presence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_presence_seen_at"), ["seen_at"], unique=False)


def downgrade():
    with op.batch_alter_table("member_presence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_presence_seen_at"))
    op.drop_table("member_presence")
