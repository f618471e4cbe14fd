"""contract customers: delivery points, contacts, e-mail notices (issue 12)

Revision ID: b12a6f9b4e03
Revises: b11c5d8e3f02
Create Date: 2026-12-03 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import service.db


# revision identifiers, used by Alembic.
revision = 'b12a6f9b4e03'
down_revision = 'b11c5d8e3f02'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
