"""event change notices, attendee messages, per-event promotion cut-off, mail attachments

Revision ID: c14notices01
Revises: a14c0mment01
Create Date: 2026-11-30 00:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c14notices01'
down_revision = 'a14c0mment01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.String(length=12), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_messages_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_event_messages_sender_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_messages'))
    )
    with op.batch_alter_table('event_messages', schema=None) as batch_op:
        batch_op.create_index('ix_event_messages_event_created', ['event_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_messages_sender_id'), ['sender_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_changes', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('notice_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('promotion_cutoff_hours', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_events_notice_due_at'), ['notice_due_at'], unique=False)

    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_column('attachments')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_notice_due_at'))
        batch_op.drop_column('promotion_cutoff_hours')
        batch_op.drop_column('notice_due_at')
        batch_op.drop_column('notice_changes')

    with op.batch_alter_table('event_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_messages_sender_id'))
        batch_op.drop_index('ix_event_messages_event_created')

    op.drop_table('event_messages')
