"""sms outbox claim index: the dispatcher's order over claimable rows only

Revision ID: 9b2e4f6a8c13
Revises: 155f70630983
Create Date: 2026-11-22 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b2e4f6a8c13'
down_revision = '155f70630983'
branch_labels = None
depends_on = None

CLAIMABLE = sa.text("status IN ('queued', 'sending')")


def upgrade():
    op.create_index(
        'ix_sms_outbox_claim',
        'sms_outbox',
        [sa.text('priority DESC'), 'id'],
        unique=False,
        postgresql_where=CLAIMABLE,
        sqlite_where=CLAIMABLE,
    )


def downgrade():
    op.drop_index('ix_sms_outbox_claim', table_name='sms_outbox')
