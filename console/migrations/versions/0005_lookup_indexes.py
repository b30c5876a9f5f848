"""look-up indexes: trigram GIN (name, city, e-mail) and prefix B-trees (identifier, SIRET, postcode)

On PostgreSQL the look-up's indexes are rebuilt with the
operator classes that serve its LIKE searches (extensions pg_trgm and btree_gin, both trusted: the
database owner may create them); SQLite only gains the identifier index, a plain B-tree.

Revision ID: 0005
Revises: 0004
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TRIGRAMS = {  # index name -> (columns, the trigram column)
    'ix_partner_collectivite_name_key': (['collectivite_id', 'name_key'], 'name_key'),
    'ix_partner_collectivite_city_key': (['collectivite_id', 'city_key'], 'city_key'),
    'ix_partner_email': (['email'], 'email'),
}
PREFIXES = {'ix_partner_siret': 'siret', 'ix_partner_postcode': 'postcode'}


def postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    if not postgresql():
        op.create_index('ix_partner_identifier_prefix', 'partner', ['identifier'])
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.execute('CREATE EXTENSION IF NOT EXISTS btree_gin')
    op.create_index('ix_partner_identifier_prefix', 'partner', ['identifier'],
                    postgresql_ops={'identifier': 'varchar_pattern_ops'})
    for name, (columns, column) in TRIGRAMS.items():
        op.drop_index(name, table_name='partner')
        op.create_index(name, 'partner', columns, postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'})
    for name, column in PREFIXES.items():
        op.drop_index(name, table_name='partner')
        op.create_index(name, 'partner', [column], postgresql_ops={column: 'varchar_pattern_ops'})


def downgrade() -> None:
    op.drop_index('ix_partner_identifier_prefix', table_name='partner')
    if not postgresql():
        return
    for name, (columns, _column) in TRIGRAMS.items():
        op.drop_index(name, table_name='partner')
        op.create_index(name, 'partner', columns)
    for name, column in PREFIXES.items():
        op.drop_index(name, table_name='partner')
        op.create_index(name, 'partner', [column])
