"""events.seats_taken: the confirmed registrations, kept by triggers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

A sign-up read the free seats by counting the event's confirmed registrations under
the event lock: a statement of its own, longer the more people had signed up. The
count now lives on the event, kept by the database on every write of registrations
(SEATS_TRIGGERS), and is read in the statement that takes the lock.
"""
from alembic import op
import sqlalchemy as sa

from eventapp.models.registrations import (
    SEATS_FUNCTIONS,
    SEATS_TAKEN_BACKFILL,
    SEATS_TRIGGER_NAMES,
    SEATS_TRIGGERS,
)


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('events', sa.Column('seats_taken', sa.Integer(), server_default='0',
                                      nullable=False))
    for statement in SEATS_TRIGGERS[op.get_context().dialect.name]:
        op.execute(statement)
    op.execute(SEATS_TAKEN_BACKFILL)


def downgrade():
    on_postgresql = op.get_context().dialect.name == 'postgresql'
    for name in SEATS_TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON registrations" if on_postgresql
                                                       else ""))
    if on_postgresql:
        for name in SEATS_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    # Not in batch mode: on SQLite that copies the table and drops the old one, and
    # dropping events deletes their registrations (ON DELETE CASCADE). SQLite 3.35 and
    # later drop a column in place.
    op.drop_column('events', 'seats_taken')
