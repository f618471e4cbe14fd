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
    op.create_table('emergency_duty_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('starts_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('backup_phone', sa.String(length=20), nullable=True),
    sa.Column('lead_phone', sa.String(length=20), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_emergency_duty_changes_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_duty_changes'))
    )
    op.create_index(op.f('ix_emergency_duty_changes_starts_at'), 'emergency_duty_changes', ['starts_at'], unique=False)
    op.create_table('emergency_duty_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('backup_phone', sa.String(length=20), nullable=True),
    sa.Column('lead_phone', sa.String(length=20), nullable=True),
    sa.CheckConstraint('start_minute < end_minute', name=op.f('ck_emergency_duty_slots_order')),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440', name=op.f('ck_emergency_duty_slots_minutes')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_emergency_duty_slots_weekday')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_duty_slots'))
    )
    op.create_table('emergency_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('channel', sa.Enum('twilio', 'phone', 'sms', 'walk_in', 'other', name='call_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('caller_name', sa.String(length=200), nullable=True),
    sa.Column('caller_phone', sa.String(length=20), nullable=True),
    sa.Column('postcode', sa.String(length=8), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('street_key', sa.String(length=200), nullable=True),
    sa.Column('house_number', sa.String(length=20), nullable=True),
    sa.Column('node_id', sa.String(length=60), nullable=True),
    sa.Column('problem', sa.Enum('no_heating', 'no_hot_water', 'low_temperature', 'leak', 'substation_fault', 'start_heating', 'stop_heating', 'supply_return', 'other', name='call_problem', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('scope', sa.Enum('building', 'flat', name='call_scope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('caller_kind', sa.Enum('contract_customer', 'resident', 'other', name='caller_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('priority', sa.Enum('danger', 'vulnerable', 'normal', name='call_priority', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('logged_by', sa.String(length=200), nullable=False),
    sa.Column('logged_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('back_entry_reason', sa.String(length=500), nullable=True),
    sa.Column('verified_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('crew', sa.String(length=120), nullable=True),
    sa.Column('on_site_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('informed_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('informed_in_writing', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.Enum('repaired', 'part_of_outage', 'building_installation', 'no_fault_found', 'advice_given', 'request_carried_out', 'other', name='call_outcome', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('outage_id', sa.Integer(), nullable=True),
    sa.Column('twilio_call_sid', sa.String(length=64), nullable=True),
    sa.Column('called_number', sa.String(length=20), nullable=True),
    sa.Column('call_status', sa.Enum('ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled', name='call_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('answered_by', sa.String(length=200), nullable=True),
    sa.Column('wait_seconds', sa.Integer(), nullable=True),
    sa.Column('talk_seconds', sa.Integer(), nullable=True),
    sa.Column('duty_covered', sa.Boolean(), nullable=False),
    sa.Column('reconciled', sa.Boolean(), nullable=False),
    sa.Column('recording_sid', sa.String(length=64), nullable=True),
    sa.Column('recording_seconds', sa.Integer(), nullable=True),
    sa.Column('recording_deleted_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_emergency_calls_outage_id_outages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_calls')),
    sa.UniqueConstraint('twilio_call_sid', name=op.f('uq_emergency_calls_twilio_call_sid'))
    )
    op.create_index(op.f('ix_emergency_calls_caller_phone'), 'emergency_calls', ['caller_phone'], unique=False)
    op.create_index('ix_emergency_calls_open', 'emergency_calls', ['resolved_at', 'priority', 'received_at'], unique=False)
    op.create_index(op.f('ix_emergency_calls_outage_id'), 'emergency_calls', ['outage_id'], unique=False)
    op.create_index(op.f('ix_emergency_calls_received_at'), 'emergency_calls', ['received_at'], unique=False)
    op.create_index('ix_emergency_calls_street', 'emergency_calls', ['postcode', 'street_key'], unique=False)
    op.create_table('emergency_callbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('due_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=200), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['emergency_calls.id'], name=op.f('fk_emergency_callbacks_call_id_emergency_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_callbacks')),
    sa.UniqueConstraint('call_id', name=op.f('uq_emergency_callbacks_call_id'))
    )
    op.create_index(op.f('ix_emergency_callbacks_due_at'), 'emergency_callbacks', ['due_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_emergency_callbacks_due_at'), table_name='emergency_callbacks')
    op.drop_table('emergency_callbacks')
    op.drop_index('ix_emergency_calls_street', table_name='emergency_calls')
    op.drop_index(op.f('ix_emergency_calls_received_at'), table_name='emergency_calls')
    op.drop_index(op.f('ix_emergency_calls_outage_id'), table_name='emergency_calls')
    op.drop_index('ix_emergency_calls_open', table_name='emergency_calls')
    op.drop_index(op.f('ix_emergency_calls_caller_phone'), table_name='emergency_calls')
    op.drop_table('emergency_calls')
    op.drop_table('emergency_duty_slots')
    op.drop_index(op.f('ix_emergency_duty_changes_starts_at'), table_name='emergency_duty_changes')
    op.drop_table('emergency_duty_changes')
