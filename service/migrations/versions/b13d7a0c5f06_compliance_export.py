"""compliance export: audit chain off the request path, checkpoints, manual evidence, bundles (issue 13)

Revision ID: b13d7a0c5f06
Revises: b16f8b1d6a05
Create Date: 2026-12-03 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import service.db


# revision identifiers, used by Alembic.
revision = 'b13d7a0c5f06'
down_revision = 'b16f8b1d6a05'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
