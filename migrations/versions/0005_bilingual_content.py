"""bilingual event content and old event addresses

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Events get a Japanese title, description and venue, agenda items a Japanese title and
speaker (categories and technology areas already had `name_ja`). Existing rows keep
their content as the English version; the Japanese columns start empty, so readers
of either language see what they saw before. `event_slugs` keeps the addresses an
event had before its slug changed, so old links redirect.
"""
from alembic import op
import sqlalchemy as sa

import eventapp.database


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_ja', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('description_ja', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('venue_ja', sa.String(length=300), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_ja', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('speaker_ja', sa.String(length=300), nullable=False,
                                      server_default=''))
    op.create_table('event_slugs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('created_at', eventapp.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                            name=op.f('fk_event_slugs_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_slugs')),
    sa.UniqueConstraint('slug', name=op.f('uq_event_slugs_slug'))
    )
    with op.batch_alter_table('event_slugs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_slugs_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_slugs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_slugs_event_id'))
    op.drop_table('event_slugs')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_column('speaker_ja')
        batch_op.drop_column('title_ja')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('venue_ja')
        batch_op.drop_column('description_ja')
        batch_op.drop_column('title_ja')
