"""e-mail confirmation of public sign-ups; abuse-limit counters in the database

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

events.confirm_email: new events ask public sign-ups to confirm their address (server
default true); events that exist already keep signing people up at once, as before,
until an organiser switches it on. registrations.email_confirm_by: the deadline of a
sign-up awaiting that confirmation. rate_limit_counters: the sign-up and login limits'
fixed windows, shared by every process without Redis (eventapp/limitstore.py).
"""
from alembic import op
import sqlalchemy as sa

import eventapp.database


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counters',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters'))
    )
    op.create_index('ix_rate_limit_counters_expires_at', 'rate_limit_counters',
                    ['expires_at'], unique=False)
    op.add_column('events', sa.Column('confirm_email', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    # Existing events go on as they were: sign-ups are confirmed or waitlisted at once.
    op.execute(sa.text("UPDATE events SET confirm_email = :off").bindparams(off=False))
    op.add_column('registrations', sa.Column('email_confirm_by',
                                             eventapp.database.UTCDateTime(), nullable=True))
    op.create_index('ix_registrations_email_confirm_by', 'registrations',
                    ['email_confirm_by'], unique=False)


def downgrade():
    op.drop_index('ix_registrations_email_confirm_by', table_name='registrations')
    # (SQLite 3.35+ drops a column in place: no batch copy of the events table, whose
    # deletion would cascade to its registrations.)
    op.drop_column('registrations', 'email_confirm_by')
    op.drop_column('events', 'confirm_email')
    op.drop_index('ix_rate_limit_counters_expires_at', table_name='rate_limit_counters')
    op.drop_table('rate_limit_counters')
