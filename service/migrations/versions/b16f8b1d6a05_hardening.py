"""hardening: sessions, tokens, sign-in throttling, retention holds (issue 16)

Revision ID: b16f8b1d6a05
Revises: b15e2c7d9a04
Create Date: 2026-12-03 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import service.db


# revision identifiers, used by Alembic.
revision = 'b16f8b1d6a05'
down_revision = 'b15e2c7d9a04'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
