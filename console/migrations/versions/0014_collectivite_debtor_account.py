"""collectivite: the debtor account of its SEPA credit transfer files (name, IBAN, BIC), set by the operator

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('collectivite', schema=None) as batch_op:
        batch_op.add_column(sa.Column('debtor_name', sa.String(length=70), nullable=True))
        batch_op.add_column(sa.Column('debtor_iban', sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column('debtor_bic', sa.String(length=11), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('collectivite', schema=None) as batch_op:
        batch_op.drop_column('debtor_bic')
        batch_op.drop_column('debtor_iban')
        batch_op.drop_column('debtor_name')
