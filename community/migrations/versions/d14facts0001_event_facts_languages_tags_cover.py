"""event facts: city, access facts, cover image, languages and tags

Revision ID: d14facts0001
Revises: b14ser1es001
Create Date: 2026-11-30 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd14facts0001'
down_revision = 'b14ser1es001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_languages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_languages_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_languages')),
    sa.UniqueConstraint('event_id', 'code', name=op.f('uq_event_languages_event_id_code'))
    )
    with op.batch_alter_table('event_languages', schema=None) as batch_op:
        batch_op.create_index('ix_event_languages_code', ['code'], unique=False)

    op.create_table('event_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_tags_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_event_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_tags')),
    sa.UniqueConstraint('event_id', 'tag_id', name=op.f('uq_event_tags_event_id_tag_id'))
    )
    with op.batch_alter_table('event_tags', schema=None) as batch_op:
        batch_op.create_index('ix_event_tags_tag_id', ['tag_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('step_free', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('child_friendly', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('childcare', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('cover_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('cover_alt', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_events_city'), ['city'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_events_cover_name'), ['cover_name'])


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_events_cover_name'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_events_city'))
        batch_op.drop_column('cover_alt')
        batch_op.drop_column('cover_name')
        batch_op.drop_column('childcare')
        batch_op.drop_column('child_friendly')
        batch_op.drop_column('step_free')
        batch_op.drop_column('city')

    with op.batch_alter_table('event_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_event_tags_tag_id')

    op.drop_table('event_tags')
    with op.batch_alter_table('event_languages', schema=None) as batch_op:
        batch_op.drop_index('ix_event_languages_code')

    op.drop_table('event_languages')
