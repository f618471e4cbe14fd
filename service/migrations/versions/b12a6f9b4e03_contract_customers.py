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
    op.create_table('customer_delivery_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_number', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=8), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('street_key', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('number_text', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.Enum('none', 'care_home', 'hospital', 'school', 'critical_industry', name='customer_priority', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('dwellings', sa.Integer(), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('dwellings >= 0', name=op.f('ck_customer_delivery_points_dwellings_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_delivery_points')),
    sa.UniqueConstraint('customer_number', name=op.f('uq_customer_delivery_points_customer_number'))
    )
    op.create_index('ix_customer_delivery_points_match', 'customer_delivery_points', ['postcode', 'street_key'], unique=False)
    op.create_table('customer_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_point_id', sa.Integer(), nullable=False),
    sa.Column('contact_key', sa.String(length=254), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('role', sa.Enum('owner', 'manager', 'caretaker', name='contact_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('by_email', sa.Boolean(), nullable=False),
    sa.Column('by_sms', sa.Boolean(), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email IS NOT NULL OR phone IS NOT NULL', name=op.f('ck_customer_contacts_email_or_phone')),
    sa.ForeignKeyConstraint(['delivery_point_id'], ['customer_delivery_points.id'], name=op.f('fk_customer_contacts_delivery_point_id_customer_delivery_points'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_contacts')),
    sa.UniqueConstraint('delivery_point_id', 'contact_key', name=op.f('uq_customer_contacts_delivery_point_id_contact_key'))
    )
    op.create_index(op.f('ix_customer_contacts_delivery_point_id'), 'customer_contacts', ['delivery_point_id'], unique=False)
    op.create_index(op.f('ix_customer_contacts_email'), 'customer_contacts', ['email'], unique=False)
    op.create_table('customer_sign_in_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_sign_in_links')),
    sa.UniqueConstraint('nonce', name=op.f('uq_customer_sign_in_links_nonce'))
    )
    op.create_index(op.f('ix_customer_sign_in_links_email'), 'customer_sign_in_links', ['email'], unique=False)

    op.create_table('email_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('postcode', sa.String(length=8), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('street_key', sa.String(length=200), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('number_text', sa.String(length=20), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verified_at', service.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_subscriptions')),
    sa.UniqueConstraint('token', name=op.f('uq_email_subscriptions_token'))
    )
    op.create_index(op.f('ix_email_subscriptions_email'), 'email_subscriptions', ['email'], unique=False)
    op.create_index('ix_email_subscriptions_match', 'email_subscriptions', ['postcode', 'street_key'], unique=False)

    # The e-mail outbox carries an HTML alternative, a List-Unsubscribe URL, what the notice is
    # about and to whom, and a later bounce; the SMS outbox reaches customers' contacts too.
    op.add_column('email_outbox', sa.Column('html', sa.Text(), nullable=True))
    op.add_column('email_outbox', sa.Column('list_unsubscribe', sa.String(length=500), nullable=True))
    op.add_column('email_outbox', sa.Column('outage_id', sa.Integer(), nullable=True))
    op.add_column('email_outbox', sa.Column('contact_id', sa.Integer(), nullable=True))
    op.add_column('email_outbox', sa.Column('bounced_at', service.db.UTCDateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_email_outbox_outage_id'), 'email_outbox', ['outage_id'], unique=False)
    op.create_index(op.f('ix_email_outbox_contact_id'), 'email_outbox', ['contact_id'], unique=False)
    op.add_column('sms_outbox', sa.Column('contact_id', sa.Integer(), nullable=True))
    op.create_index('ix_sms_outbox_event_key_contact', 'sms_outbox', ['event_key', 'contact_id'], unique=True)


def downgrade():
    op.drop_index('ix_sms_outbox_event_key_contact', table_name='sms_outbox')
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.drop_column('contact_id')
    op.drop_index(op.f('ix_email_outbox_contact_id'), table_name='email_outbox')
    op.drop_index(op.f('ix_email_outbox_outage_id'), table_name='email_outbox')
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_column('bounced_at')
        batch_op.drop_column('contact_id')
        batch_op.drop_column('outage_id')
        batch_op.drop_column('list_unsubscribe')
        batch_op.drop_column('html')
    op.drop_index('ix_email_subscriptions_match', table_name='email_subscriptions')
    op.drop_index(op.f('ix_email_subscriptions_email'), table_name='email_subscriptions')
    op.drop_table('email_subscriptions')
    op.drop_index(op.f('ix_customer_sign_in_links_email'), table_name='customer_sign_in_links')
    op.drop_table('customer_sign_in_links')
    op.drop_index(op.f('ix_customer_contacts_email'), table_name='customer_contacts')
    op.drop_index(op.f('ix_customer_contacts_delivery_point_id'), table_name='customer_contacts')
    op.drop_table('customer_contacts')
    op.drop_index('ix_customer_delivery_points_match', table_name='customer_delivery_points')
    op.drop_table('customer_delivery_points')
