"""registrations.search_key: a trigram index on PostgreSQL for substring search

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Name search matches a substring of the search key (LIKE '%...%'), which a B-tree cannot
serve; pg_trgm's GIN index can. The extension is added to the database (in `public`)
unless it is there already; it is trusted since PostgreSQL 13, so the database's owner
may add it. SQLite keeps reading the event's rows.
"""
from alembic import op

from eventapp.models.registrations import SEARCH_KEY_INDEX, SEARCH_KEY_INDEX_DDL


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEARCH_KEY_INDEX_DDL)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {SEARCH_KEY_INDEX}")
