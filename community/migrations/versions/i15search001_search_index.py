"""search index

Revision ID: i15search001
Revises: g15posts0001
Create Date: 2026-11-30 01:30:00

The search engine's own table, one per database (`community.search.engines`):

- SQLite: `search_index`, an FTS5 virtual table (porter stemming over unicode61, accents
  folded). Its rowid is `ref_id * 16 + kind code`, so a document is replaced or removed by
  rowid without a lookup. FTS5 adds shadow tables (`search_index_data`, `_idx`, ...).
- PostgreSQL: `search_index`, a plain table with a stored `tsvector` (title weighted A,
  body B, 'english' configuration for stemming) and a GIN index on it.

Neither is in the models' metadata: the schema comparison (env.py and
tests/test_migrations.py) leaves out the tables named by `community.search.engines.
is_search_table` and nothing else.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'i15search001'
down_revision = 'g15posts0001'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "title, body, tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')"
        )
        op.execute("CREATE VIRTUAL TABLE search_index_vocab USING fts5vocab(search_index, row)")
        return
    op.create_table('search_index',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('document', postgresql.TSVECTOR(), sa.Computed(
        "setweight(to_tsvector('english', title), 'A') || "
        "setweight(to_tsvector('english', body), 'B')", persisted=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'ref_id', name=op.f('pk_search_index'))
    )
    with op.batch_alter_table('search_index', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_index_document'), ['document'], unique=False, postgresql_using='gin')


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE search_index_vocab")
        op.execute("DROP TABLE search_index")
        return
    with op.batch_alter_table('search_index', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_index_document'), postgresql_using='gin')
    op.drop_table('search_index')
