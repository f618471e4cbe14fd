"""street-name aliases per postcode area (issue 15)

Revision ID: b15e2c7d9a04
Revises: b12a6f9b4e03
Create Date: 2026-12-03 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import service.db


# revision identifiers, used by Alembic.
revision = 'b15e2c7d9a04'
down_revision = 'b12a6f9b4e03'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
