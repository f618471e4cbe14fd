"""connection requests: applications, documents, steps (issue 11)

Revision ID: b11c5d8e3f02
Revises: b10e4a7c2d01
Create Date: 2026-12-03 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import service.db


# revision identifiers, used by Alembic.
revision = 'b11c5d8e3f02'
down_revision = 'b10e4a7c2d01'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
