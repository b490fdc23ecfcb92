"""staff_sessions: signed-in browsers, ended at logout and at a password change

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

Sessions signed in before this migration carry no server-side record, so they end here:
staff sign in once more.
"""
from alembic import op
import sqlalchemy as sa

import eventapp.database


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', eventapp.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'],
                            name=op.f('fk_staff_sessions_user_id_staff_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_staff_sessions'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))
    op.drop_table('staff_sessions')
