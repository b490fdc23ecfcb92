"""networking session, live: draft and published sheets, arrivals, no-shows

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

meetings.sheet: a schedule's draft and its published version live side by side, so the
one unique table per slot becomes one per slot and sheet (rows on no sheet, cancelled or
replaced, hold no table). sequence/revision/previous_*: what a later publication changed
(calendar SEQUENCE, the e-mail saying what changed). Arrivals at the table, the person
who did not come, the meeting a replacement stands in for, and "keep" on later meetings
of an absent person. events.networking_draft_at: a draft exists (it may be empty).
"""
from alembic import op
import sqlalchemy as sa

import eventapp.database


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OUTCOMES_ASIDE = "meeting_outcomes_aside"


def _columns():
    return [
        sa.Column('sheet', sa.String(length=16), nullable=True),
        sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('revision', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('previous_slot', sa.Integer(), nullable=True),
        sa.Column('previous_table', sa.Integer(), nullable=True),
        sa.Column('cancelled_at', eventapp.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('a_arrived_at', eventapp.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('b_arrived_at', eventapp.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('absent_id', sa.Integer(), nullable=True),
        sa.Column('absent_marked_at', eventapp.database.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column('replaces_id', sa.Integer(), nullable=True),
        sa.Column('kept', sa.Boolean(), nullable=False, server_default=sa.false()),
    ]


def _rebuilt_on_sqlite(change):
    """SQLite drops a table constraint only by copying the table, and dropping the old
    copy cascades to meeting_outcomes: they are set aside meanwhile and put back."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute(f"CREATE TEMPORARY TABLE {OUTCOMES_ASIDE} AS SELECT * FROM meeting_outcomes")
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        change(batch_op)
    if sqlite:
        op.execute("DELETE FROM meeting_outcomes")
        op.execute(f"INSERT INTO meeting_outcomes SELECT * FROM {OUTCOMES_ASIDE}")
        op.execute(f"DROP TABLE {OUTCOMES_ASIDE}")


def upgrade():
    def change(batch_op):
        for column in _columns():
            batch_op.add_column(column)
        batch_op.drop_constraint('uq_meetings_slot_table', type_='unique')
        batch_op.create_unique_constraint('uq_meetings_sheet_slot_table',
                                          ['event_id', 'sheet', 'slot', 'table_number'])
        batch_op.create_check_constraint(batch_op.f('ck_meetings_sheet'),
                                         "sheet IN ('draft', 'published')")
        batch_op.create_foreign_key(batch_op.f('fk_meetings_absent_id_registrations'),
                                    'registrations', ['absent_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_meetings_replaces_id_meetings'),
                                    'meetings', ['replaces_id'], ['id'], ondelete='SET NULL')

    _rebuilt_on_sqlite(change)
    # Until now a published schedule and its draft were the same rows.
    op.execute("UPDATE meetings SET sheet = CASE WHEN published THEN 'published' "
               "ELSE 'draft' END")
    op.add_column('events', sa.Column('networking_draft_at',
                                      eventapp.database.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE events SET networking_draft_at = created_at WHERE EXISTS "
               "(SELECT 1 FROM meetings m WHERE m.event_id = events.id "
               "AND m.sheet = 'draft')")


def downgrade():
    # (SQLite 3.35+ drops a column in place: no batch copy of the events table.)
    op.drop_column('events', 'networking_draft_at')
    # Only one sheet fits the old unique table per slot: drafts beside a published
    # schedule, and meetings on no sheet, go.
    op.execute("DELETE FROM meetings WHERE sheet IS NULL OR (sheet = 'draft' AND EXISTS "
               "(SELECT 1 FROM meetings p WHERE p.event_id = meetings.event_id "
               "AND p.sheet = 'published'))")

    def change(batch_op):
        batch_op.drop_constraint('fk_meetings_replaces_id_meetings', type_='foreignkey')
        batch_op.drop_constraint('fk_meetings_absent_id_registrations', type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_meetings_sheet'), type_='check')
        batch_op.drop_constraint('uq_meetings_sheet_slot_table', type_='unique')
        batch_op.create_unique_constraint('uq_meetings_slot_table',
                                          ['event_id', 'slot', 'table_number'])
        for column in reversed(_columns()):
            batch_op.drop_column(column.name)

    _rebuilt_on_sqlite(change)
