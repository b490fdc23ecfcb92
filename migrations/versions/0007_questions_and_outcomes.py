"""registration questions and answers; meeting outcomes; opting out of messages

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

questions, question_options, question_categories, answers: the organiser's own
questions on the registration form (one answer row per chosen option). meeting_outcomes:
what each participant (or an organiser on their behalf) says of a meeting.
registrations.messages_opt_out_at: the attendee opted out of non-essential messages.
"""
from alembic import op
import sqlalchemy as sa

import eventapp.database


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('label_ja', sa.String(length=300), nullable=False),
    sa.Column('help', sa.Text(), nullable=False),
    sa.Column('help_ja', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('created_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type IN ('text', 'long_text', 'choice', 'multiple', 'boolean')", name=op.f('ck_questions_type')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_questions_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
    sa.UniqueConstraint('event_id', 'code', name='uq_questions_event_code')
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_event_id'), ['event_id'], unique=False)

    op.create_table('question_categories',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_question_categories_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_categories_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'category_id', name=op.f('pk_question_categories'))
    )
    op.create_table('question_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('label_ja', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_options_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_options')),
    sa.UniqueConstraint('question_id', 'code', name='uq_question_options_code')
    )
    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('flag', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['option_id'], ['question_options.id'], name=op.f('fk_answers_option_id_question_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_answers_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_answers_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('registration_id', 'question_id', 'option_id', name='uq_answers_registration_option')
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index('ix_answers_question_option', ['question_id', 'option_id'], unique=False)
        batch_op.create_index('ix_answers_registration_question', ['registration_id', 'question_id'], unique=False)

    op.create_table('meeting_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('follow_up', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('applicable', sa.Boolean(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 4', name=op.f('ck_meeting_outcomes_rating')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['staff_users.id'], name=op.f('fk_meeting_outcomes_entered_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_outcomes_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_meeting_outcomes_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_outcomes')),
    sa.UniqueConstraint('meeting_id', 'registration_id', name='uq_meeting_outcomes_side')
    )
    with op.batch_alter_table('meeting_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_outcomes_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_outcomes_registration_id'), ['registration_id'], unique=False)

    op.add_column('registrations', sa.Column('messages_opt_out_at',
                  eventapp.database.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    # (SQLite 3.35+ drops a column in place: no batch copy of the registrations table.)
    op.drop_column('registrations', 'messages_opt_out_at')

    with op.batch_alter_table('meeting_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_outcomes_registration_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_outcomes_meeting_id'))

    op.drop_table('meeting_outcomes')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_registration_question')
        batch_op.drop_index('ix_answers_question_option')

    op.drop_table('answers')
    op.drop_table('question_options')
    op.drop_table('question_categories')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_event_id'))

    op.drop_table('questions')
