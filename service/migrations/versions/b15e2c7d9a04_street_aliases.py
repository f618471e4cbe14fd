"""street-name aliases per postcode area (issue 15)

Revision ID: b15e2c7d9a04
Revises: b12a6f9b4e03
Create Date: 2026-12-03 03:20:00.000000

The street_aliases table, and the street keys already stored computed again: the key now also
drops diacritics and the Polish "al."/"pl."/"os." prefixes (notifications.areas.street_key), so
a key written before would no longer meet the same street typed today. The key function is
copied here as it is at this revision, so later changes to it cannot change this migration.
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa
import service.db


# revision identifiers, used by Alembic.
revision = 'b15e2c7d9a04'
down_revision = 'b12a6f9b4e03'
branch_labels = None
depends_on = None

_PREFIX = re.compile(
    r"^(?:(?:ul|al|pl|os)\.\s*|(?:ul|al|pl|os|ulica|aleja|aleje|plac|osiedle)\s+)(?=\S)"
)
_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "đ": "d"})
_OLD_PREFIX = re.compile(r"^(ul\.?|ulica)\s+", re.IGNORECASE)
_KEYED = (  # (table, column with the street as written, nullable key)
    ("outage_areas", "street", True),
    ("sms_subscriber_addresses", "street", True),
    ("customer_delivery_points", "street", False),
    ("emergency_calls", "street", True),
)


def _key(street):
    if street is None:
        return None
    text = unicodedata.normalize("NFKC", street).casefold().translate(_UNDECOMPOSED)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[.,]", lambda m: ". " if m.group() == "." else " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    while (shorter := _PREFIX.sub("", text)) != text:
        text = shorter
    text = re.sub(r"\s+", " ", text.replace(".", " ")).strip()
    return text or None


def _old_key(street):
    if street is None:
        return None
    text = unicodedata.normalize("NFKC", street).casefold().strip()
    text = _OLD_PREFIX.sub("", text)
    text = re.sub(r"[.,]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def _rekey(key_of):
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    for table_name, column, nullable in _KEYED:
        if table_name not in tables:
            continue
        table = sa.table(table_name, sa.column("id"), sa.column(column), sa.column("street_key"))
        rows = bind.execute(sa.select(table.c.id, table.c[column], table.c.street_key)).all()
        for row_id, street, old in rows:
            new = key_of(street)
            if new is None and not nullable:
                new = (street or "").casefold()
            if new != old:
                bind.execute(sa.update(table).where(table.c.id == row_id).values(street_key=new))


def upgrade():
    op.create_table('street_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('postcode', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('street_key', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_street_aliases')),
    sa.UniqueConstraint('postcode', 'key', name=op.f('uq_street_aliases_postcode_key'))
    )
    op.create_index('ix_street_aliases_street', 'street_aliases', ['postcode', 'street_key'], unique=False)
    _rekey(_key)


def downgrade():
    _rekey(_old_key)
    op.drop_index('ix_street_aliases_street', table_name='street_aliases')
    op.drop_table('street_aliases')
