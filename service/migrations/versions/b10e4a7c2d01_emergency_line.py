"""emergency line: calls, duty roster, callbacks (issue 10)

Revision ID: b10e4a7c2d01
Revises: 9b2e4f6a8c13
Create Date: 2026-12-03 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import service.db


# revision identifiers, used by Alembic.
revision = 'b10e4a7c2d01'
down_revision = '9b2e4f6a8c13'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
