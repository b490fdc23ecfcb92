"""messages to groups of attendees

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06

messages: an organiser's message to a group (now or at a set time) and each event's
automatic messages (reminder, thank-you, sorry we missed you).
outbound_emails.message_id: the message an e-mail is one person's copy of.
"""
from alembic import op
import sqlalchemy as sa

import eventapp.database


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('subject_ja', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_ja', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('send_at', eventapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('queued_at', eventapp.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('organiser', 'reminder', 'thanks', 'missed')", name=op.f('ck_messages_kind')),
    sa.CheckConstraint("status IN ('scheduled', 'queued', 'cancelled')", name=op.f('ck_messages_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_messages_created_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_messages_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_messages_status_send_at', ['status', 'send_at'], unique=False)
        batch_op.create_index('uq_messages_event_automatic_kind', ['event_id', 'kind'], unique=True, sqlite_where=sa.text("kind != 'organiser'"), postgresql_where=sa.text("kind != 'organiser'"))

    # Batch mode, which on SQLite copies the table: SQLite adds a reference only with a
    # column, where it cannot be named. Safe here: no table refers to the outbox, so
    # dropping the old copy cascades nothing.
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbound_emails_message_id_messages'),
                                    'messages', ['message_id'], ['id'], ondelete='CASCADE')
    op.create_index(op.f('ix_outbound_emails_message_id'), 'outbound_emails', ['message_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_outbound_emails_message_id'), table_name='outbound_emails')
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbound_emails_message_id_messages'),
                                 type_='foreignkey')
        batch_op.drop_column('message_id')
    op.drop_index('uq_messages_event_automatic_kind', table_name='messages')
    op.drop_index('ix_messages_status_send_at', table_name='messages')
    op.drop_index(op.f('ix_messages_event_id'), table_name='messages')
    op.drop_table('messages')
