"""reports: exports built by background jobs, monthly summary subscriptions

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('collectivite_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('partners', 'reimbursements', 'cheques', 'complaints', 'summary', name='export_kind', native_enum=False, length=20), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', 'expired', name='export_status', native_enum=False, length=20), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('file_path', sa.String(length=500), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['collectivite_id'], ['collectivite.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('report_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_export_collectivite_id'), ['collectivite_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_export_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_report_export_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('report_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_period', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('collectivite_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collectivite_id'], ['collectivite.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('report_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_subscription_collectivite_id'), ['collectivite_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_subscription_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_subscription_user_id'))
        batch_op.drop_index(batch_op.f('ix_report_subscription_collectivite_id'))
    op.drop_table('report_subscription')
    with op.batch_alter_table('report_export', schema=None) as batch_op:
        batch_op.drop_index('ix_report_export_user_created')
        batch_op.drop_index(batch_op.f('ix_report_export_user_id'))
        batch_op.drop_index(batch_op.f('ix_report_export_collectivite_id'))
    op.drop_table('report_export')
