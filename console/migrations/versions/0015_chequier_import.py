"""chéquier import: one row per file imported, its job's state and its report

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chequier_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('file_path', sa.String(length=500), nullable=True),
    sa.Column('valid_rows_only', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'refused', 'failed', name='import_status', native_enum=False, length=20), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=True),
    sa.Column('rows_invalid', sa.Integer(), nullable=False),
    sa.Column('rows_written', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('collectivite_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collectivite_id'], ['collectivite.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('chequier_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chequier_import_collectivite_id'), ['collectivite_id'], unique=False)
        batch_op.create_index('ix_chequier_import_collectivite_created', ['collectivite_id', 'created_at', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chequier_import', schema=None) as batch_op:
        batch_op.drop_index('ix_chequier_import_collectivite_created')
        batch_op.drop_index(batch_op.f('ix_chequier_import_collectivite_id'))
    op.drop_table('chequier_import')
