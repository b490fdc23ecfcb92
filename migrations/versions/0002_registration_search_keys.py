"""registrations: search_key and sort_name (Japanese-aware search and gojūon sort)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

Existing rows get their keys from the same function the app uses on every write
(eventapp.search), so what was registered before finds and sorts like what comes after.
"""
from alembic import op
import sqlalchemy as sa

from eventapp.search import search_key, sort_name


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    sort_type = sa.String(length=200).with_variant(
        sa.String(length=200, collation="C"), "postgresql")
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('sort_name', sort_type, nullable=False,
                                      server_default=''))
    registrations = sa.table('registrations', sa.column('id', sa.Integer),
                             sa.column('name', sa.String), sa.column('name_kana', sa.String),
                             sa.column('organisation', sa.String),
                             sa.column('search_key', sa.Text),
                             sa.column('sort_name', sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(registrations.c.id, registrations.c.name,
                                  registrations.c.name_kana, registrations.c.organisation)
                        .order_by(registrations.c.id)).all()
    update = (registrations.update().where(registrations.c.id == sa.bindparam('row_id'))
              .values(search_key=sa.bindparam('key'), sort_name=sa.bindparam('sort')))
    for start in range(0, len(rows), BATCH):
        conn.execute(update, [
            {'row_id': id_, 'key': search_key(name or '', kana or '', org or ''),
             'sort': sort_name(name or '', kana or '')}
            for id_, name, kana, org in rows[start:start + BATCH]])
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_event_sort_name', ['event_id', 'sort_name'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_sort_name')
        batch_op.drop_column('sort_name')
        batch_op.drop_column('search_key')
