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
    op.create_table('connection_pending_file',
    sa.Column('file_key', sa.String(length=40), nullable=False),
    sa.Column('saved_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('file_key', name=op.f('pk_connection_pending_file'))
    )
    op.create_index(op.f('ix_connection_pending_file_saved_at'), 'connection_pending_file', ['saved_at'], unique=False)
    op.create_table('connection_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('token_nonce', sa.String(length=32), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('jurisdiction', sa.String(length=2), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('channel', sa.Enum('web', 'paper', name='cr_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('received', 'info_requested', 'complete', 'conditions_issued', 'preliminary_conditions', 'refused', 'agreement_offered', 'agreement_signed', 'works', 'supply_started', 'connected', 'withdrawn', 'cancelled', 'expired', name='cr_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('applicant_kind', sa.Enum('person', 'company', 'cooperative', 'municipality', name='cr_applicant_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('applicant_name', sa.String(length=200), nullable=False),
    sa.Column('pesel', sa.String(length=11), nullable=True),
    sa.Column('nip', sa.String(length=10), nullable=True),
    sa.Column('regon', sa.String(length=14), nullable=True),
    sa.Column('krs', sa.String(length=10), nullable=True),
    sa.Column('business_id', sa.String(length=9), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('postal_address', sa.String(length=300), nullable=True),
    sa.Column('signatory', sa.String(length=200), nullable=True),
    sa.Column('proxy_name', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=8), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('house_number', sa.String(length=20), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('plot_number', sa.String(length=60), nullable=True),
    sa.Column('legal_title', sa.Enum('owner', 'perpetual_usufruct', 'manager', 'none', name='cr_legal_title', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('purpose', sa.Enum('residential', 'public', 'commercial', 'industrial', 'other', name='cr_purpose', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('new_building', sa.Boolean(), nullable=False),
    sa.Column('heated_area_m2', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('cubature_m3', sa.Numeric(precision=12, scale=1), nullable=True),
    sa.Column('heating_kw', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('hot_water_kw', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('ventilation_kw', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('process_kw', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('off_season_kw', sa.Numeric(precision=10, scale=1), nullable=True),
    sa.Column('annual_mwh', sa.Numeric(precision=12, scale=1), nullable=True),
    sa.Column('desired_start', sa.Date(), nullable=False),
    sa.Column('supply_temperature_c', sa.SmallInteger(), nullable=True),
    sa.Column('return_temperature_c', sa.SmallInteger(), nullable=True),
    sa.Column('received_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('complete_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rule_days', sa.SmallInteger(), nullable=True),
    sa.Column('rule_source', sa.String(length=300), nullable=True),
    sa.Column('base_due_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('conditions_due_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('decided_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('conditions_set_on', sa.Date(), nullable=True),
    sa.Column('conditions_delivered_on', sa.Date(), nullable=True),
    sa.Column('expiry_counted_from', sa.String(length=9), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('expiry_reminded_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expired_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('connection_point', sa.Text(), nullable=True),
    sa.Column('conditions_capacity_kw', sa.Numeric(precision=10, scale=1), nullable=True),
    sa.Column('heat_carrier', sa.Text(), nullable=True),
    sa.Column('boundary', sa.Text(), nullable=True),
    sa.Column('metering', sa.Text(), nullable=True),
    sa.Column('refusal_category', sa.Enum('technical', 'economic', 'no_legal_title', 'other', name='cr_refusal_category', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('refusal_text', sa.Text(), nullable=True),
    sa.Column('agreement_offered_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('agreement_signed_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('works_started_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('supply_started_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('connected_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closing_reason', sa.Text(), nullable=True),
    sa.Column('connection_fee', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('agreed_connection_on', sa.Date(), nullable=True),
    sa.Column('fee_suspended_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fee_resumed_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email IS NOT NULL OR phone IS NOT NULL OR postal_address IS NOT NULL', name=op.f('ck_connection_request_has_contact')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_connection_request_assignee_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_connection_request_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_request')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_connection_request_idempotency_key'))
    )
    op.create_index(op.f('ix_connection_request_assignee_id'), 'connection_request', ['assignee_id'], unique=False)
    op.create_index(op.f('ix_connection_request_postcode'), 'connection_request', ['postcode'], unique=False)
    op.create_index(op.f('ix_connection_request_received_at'), 'connection_request', ['received_at'], unique=False)
    op.create_index('ix_connection_request_status_due', 'connection_request', ['status', 'conditions_due_at'], unique=False)
    op.create_table('connection_escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('due_soon', 'overdue', name='cr_escalation_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('due_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['connection_request.id'], name=op.f('fk_connection_escalation_request_id_connection_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_connection_escalation_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_escalation')),
    sa.UniqueConstraint('request_id', 'user_id', 'level', 'due_at', name=op.f('uq_connection_escalation_request_id_user_id_level_due_at'))
    )
    op.create_index(op.f('ix_connection_escalation_request_id'), 'connection_escalation', ['request_id'], unique=False)
    op.create_index(op.f('ix_connection_escalation_user_id'), 'connection_escalation', ['user_id'], unique=False)
    op.create_table('connection_fee_instalment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['connection_request.id'], name=op.f('fk_connection_fee_instalment_request_id_connection_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_fee_instalment')),
    sa.UniqueConstraint('request_id', 'position', name=op.f('uq_connection_fee_instalment_request_id_position'))
    )
    op.create_index(op.f('ix_connection_fee_instalment_request_id'), 'connection_fee_instalment', ['request_id'], unique=False)
    op.create_table('connection_letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('refusal_to_applicant', 'refusal_to_ure', 'extension_notice', 'conditions', name='cr_letter_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_connection_letter_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['connection_request.id'], name=op.f('fk_connection_letter_request_id_connection_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_letter')),
    sa.UniqueConstraint('request_id', 'kind', name=op.f('uq_connection_letter_request_id_kind'))
    )
    op.create_index(op.f('ix_connection_letter_request_id'), 'connection_letter', ['request_id'], unique=False)
    op.create_table('connection_missing_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('document_kind', sa.Enum('title_proof', 'site_plan', 'floor_plan', 'power_of_attorney', 'conditions', 'agreement', 'supply_protocol', 'letter', 'other', name='cr_item_document_kind', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('requested_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('due_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['connection_request.id'], name=op.f('fk_connection_missing_item_request_id_connection_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_connection_missing_item_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_missing_item'))
    )
    op.create_index(op.f('ix_connection_missing_item_request_id'), 'connection_missing_item', ['request_id'], unique=False)
    op.create_table('connection_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=30), nullable=True),
    sa.Column('to_status', sa.String(length=30), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_connection_step_actor_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['connection_request.id'], name=op.f('fk_connection_step_request_id_connection_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_step'))
    )
    op.create_index(op.f('ix_connection_step_request_id'), 'connection_step', ['request_id'], unique=False)
    op.create_table('connection_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('title_proof', 'site_plan', 'floor_plan', 'power_of_attorney', 'conditions', 'agreement', 'supply_protocol', 'letter', 'other', name='cr_document_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('file_key', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('uploaded_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('missing_item_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['missing_item_id'], ['connection_missing_item.id'], name=op.f('fk_connection_document_missing_item_id_connection_missing_item')),
    sa.ForeignKeyConstraint(['request_id'], ['connection_request.id'], name=op.f('fk_connection_document_request_id_connection_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_connection_document_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_document')),
    sa.UniqueConstraint('file_key', name=op.f('uq_connection_document_file_key'))
    )
    op.create_index(op.f('ix_connection_document_request_id'), 'connection_document', ['request_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_connection_document_request_id'), table_name='connection_document')
    op.drop_table('connection_document')
    op.drop_index(op.f('ix_connection_step_request_id'), table_name='connection_step')
    op.drop_table('connection_step')
    op.drop_index(op.f('ix_connection_missing_item_request_id'), table_name='connection_missing_item')
    op.drop_table('connection_missing_item')
    op.drop_index(op.f('ix_connection_letter_request_id'), table_name='connection_letter')
    op.drop_table('connection_letter')
    op.drop_index(op.f('ix_connection_fee_instalment_request_id'), table_name='connection_fee_instalment')
    op.drop_table('connection_fee_instalment')
    op.drop_index(op.f('ix_connection_escalation_user_id'), table_name='connection_escalation')
    op.drop_index(op.f('ix_connection_escalation_request_id'), table_name='connection_escalation')
    op.drop_table('connection_escalation')
    op.drop_index('ix_connection_request_status_due', table_name='connection_request')
    op.drop_index(op.f('ix_connection_request_received_at'), table_name='connection_request')
    op.drop_index(op.f('ix_connection_request_postcode'), table_name='connection_request')
    op.drop_index(op.f('ix_connection_request_assignee_id'), table_name='connection_request')
    op.drop_table('connection_request')
    op.drop_index(op.f('ix_connection_pending_file_saved_at'), table_name='connection_pending_file')
    op.drop_table('connection_pending_file')
