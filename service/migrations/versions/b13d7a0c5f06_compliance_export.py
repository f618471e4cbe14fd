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

NEW_ROLE = 'compliance_officer'


def _roles_after():
    # The last migration of the chain: every role the code knows (other parts may have added
    # theirs in the revisions before this one).
    from service.auth.permissions import Role

    return tuple(role.value for role in Role)


def _replace_enum_check(table, column, name, values):
    """A non-native enum column gets a new value list: its CHECK constraint and its length."""
    constraint = f'ck_{table}_{name}'
    check = f"{column} IN ({', '.join(repr(v) for v in values)})"
    new_type = sa.String(length=max(len(v) for v in values))
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table(table, recreate='always') as batch_op:
            batch_op.drop_constraint(op.f(constraint), type_='check')
            batch_op.alter_column(column, type_=new_type, existing_nullable=False)
            batch_op.create_check_constraint(op.f(constraint), sa.text(check))
        return
    op.drop_constraint(op.f(constraint), table, type_='check')
    op.alter_column(table, column, type_=new_type, existing_nullable=False)
    op.create_check_constraint(op.f(constraint), table, sa.text(check))


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)

    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('signature', sa.String(length=200), nullable=True),
    sa.Column('public_key', sa.String(length=100), nullable=True),
    sa.Column('file_key', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoints_seq'), ['seq'], unique=False)

    op.create_table('compliance_database',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('database_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_database')),
    sa.UniqueConstraint('database_id', name=op.f('uq_compliance_database_database_id'))
    )
    op.create_table('compliance_bundles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mark', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=23), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('with_personal_data', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=80), nullable=True),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('scheduled_for', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('file_key', sa.String(length=200), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_bundles')),
    sa.UniqueConstraint('scheduled_for', name=op.f('uq_compliance_bundles_scheduled_for'))
    )
    with op.batch_alter_table('compliance_bundles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compliance_bundles_status'), ['status'], unique=False)

    op.create_table('compliance_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=23), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('attachment_key', sa.String(length=200), nullable=True),
    sa.Column('attachment_name', sa.String(length=200), nullable=True),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=True),
    sa.Column('declared_by', sa.String(length=200), nullable=False),
    sa.Column('declared_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_declarations')),
    sa.UniqueConstraint('period', 'item', name=op.f('uq_compliance_declarations_period_item'))
    )
    _replace_enum_check('users', 'role', 'role', _roles_after())


def downgrade():
    _replace_enum_check('users', 'role', 'role', tuple(r for r in _roles_after() if r != NEW_ROLE))
    op.drop_table('compliance_declarations')
    with op.batch_alter_table('compliance_bundles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compliance_bundles_status'))
    op.drop_table('compliance_bundles')
    op.drop_table('compliance_database')
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoints_seq'))
    op.drop_table('audit_checkpoints')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
