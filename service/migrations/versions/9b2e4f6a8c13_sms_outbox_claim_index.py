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


def _create(**dialect_options):
    op.create_index(
        'ix_sms_outbox_claim',
        'sms_outbox',
        [sa.text('priority DESC'), 'id'],
        unique=False,
        **dialect_options,
    )


def upgrade():
    # CONCURRENTLY on PostgreSQL: an outbox full of a big fan-out keeps taking writes while the
    # index builds (it cannot run inside a transaction, hence the autocommit block). A build
    # that failed (lock timeout) leaves an invalid index of that name behind: dropped first.
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.execute('DROP INDEX CONCURRENTLY IF EXISTS ix_sms_outbox_claim')
            _create(postgresql_where=CLAIMABLE, postgresql_concurrently=True)
    else:
        _create(sqlite_where=CLAIMABLE)


def downgrade():
    op.drop_index('ix_sms_outbox_claim', table_name='sms_outbox')
