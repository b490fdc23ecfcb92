"""badge stock per event

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

events.badge_layout: the sheet the event's badges are printed on (badges/layouts.py);
existing events get A4 2 x 4 of 90 x 54 mm.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('events', sa.Column('badge_layout', sa.String(length=16), nullable=False,
                                      server_default='a4-2x4'))


def downgrade():
    # (SQLite 3.35+ drops a column in place: no batch copy of the events table.)
    op.drop_column('events', 'badge_layout')
