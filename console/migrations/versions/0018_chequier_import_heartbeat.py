"""the heartbeat of running chéquier imports

Revision ID: 0018
Revises: 0017

An import whose worker died stayed « running » for good, its file kept in the shared folder. Its job now
renews chequier_import.heartbeat_at while it runs, and a periodic sweep fails the silent ones
(console/money/imports/jobs.py). Imports running during the upgrade have no heartbeat: the sweep counts
them from their creation.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chequier_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('chequier_import', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
