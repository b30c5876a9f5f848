"""lists at national scale: an index per offered sort (the id last), per-collectivité daily figures

Revision ID: 0012
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('aggregate_refresh',
    sa.Column('collectivite_id', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['collectivite_id'], ['collectivite.id'], ),
    sa.PrimaryKeyConstraint('collectivite_id')
    )
    op.create_table('daily_figure',
    sa.Column('collectivite_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('chequiers_issued', sa.Integer(), nullable=False),
    sa.Column('chequiers_distributed', sa.Integer(), nullable=False),
    sa.Column('chequiers_started', sa.Integer(), nullable=False),
    sa.Column('partners_approved', sa.Integer(), nullable=False),
    sa.Column('cheques_accepted', sa.Integer(), nullable=False),
    sa.Column('cheques_reimbursed', sa.Integer(), nullable=False),
    sa.Column('gross', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('fees', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('net', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('complaints_received', sa.Integer(), nullable=False),
    sa.Column('complaints_accepted', sa.Integer(), nullable=False),
    sa.Column('complaints_out_of_time', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collectivite_id'], ['collectivite.id'], ),
    sa.PrimaryKeyConstraint('collectivite_id', 'day')
    )
    with op.batch_alter_table('daily_figure', schema=None) as batch_op:
        batch_op.create_index('ix_daily_figure_day', ['day'], unique=False)

    op.create_table('daily_payment_delay',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collectivite_id', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collectivite_id'], ['collectivite.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('daily_payment_delay', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_payment_delay_collectivite_id'), ['collectivite_id'], unique=False)
        batch_op.create_index('ix_daily_payment_delay_decided_on', ['decided_on'], unique=False)
        batch_op.create_index('ix_daily_payment_delay_paid_on', ['paid_on'], unique=False)

    with op.batch_alter_table('cheque', schema=None) as batch_op:
        batch_op.create_index('ix_cheque_accepted_on_id', ['accepted_on', 'id'], unique=False)
        batch_op.create_index('ix_cheque_collectivite_accepted_on_id', ['collectivite_id', 'accepted_on', 'id'], unique=False)
        batch_op.create_index('ix_cheque_collectivite_number', ['collectivite_id', 'number'], unique=False)

    with op.batch_alter_table('chequier', schema=None) as batch_op:
        batch_op.create_index('ix_chequier_collectivite_issued_on', ['collectivite_id', 'issued_on', 'id'], unique=False)
        batch_op.create_index('ix_chequier_collectivite_number', ['collectivite_id', 'number'], unique=False)
        batch_op.create_index('ix_chequier_issued_on', ['issued_on', 'id'], unique=False)

    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_collectivite_order', ['collectivite_id', 'received_on', 'id'], unique=False)
        batch_op.create_index('ix_complaint_order', ['received_on', 'id'], unique=False)

    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.create_index('ix_partner_collectivite_identifier', ['collectivite_id', 'identifier'], unique=False)
        batch_op.create_index('ix_partner_collectivite_name_order', ['collectivite_id', 'name', 'id'], unique=False)
        batch_op.create_index('ix_partner_name_order', ['name', 'id'], unique=False)

    with op.batch_alter_table('reimbursement_request', schema=None) as batch_op:
        batch_op.create_index('ix_request_collectivite_order', ['collectivite_id', 'submitted_on', 'id'], unique=False)
        batch_op.create_index('ix_request_collectivite_status_order', ['collectivite_id', 'status', 'submitted_on', 'id'], unique=False)
        batch_op.create_index('ix_request_order', ['submitted_on', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reimbursement_request', schema=None) as batch_op:
        batch_op.drop_index('ix_request_order')
        batch_op.drop_index('ix_request_collectivite_status_order')
        batch_op.drop_index('ix_request_collectivite_order')

    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_name_order')
        batch_op.drop_index('ix_partner_collectivite_name_order')
        batch_op.drop_index('ix_partner_collectivite_identifier')

    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_order')
        batch_op.drop_index('ix_complaint_collectivite_order')

    with op.batch_alter_table('chequier', schema=None) as batch_op:
        batch_op.drop_index('ix_chequier_issued_on')
        batch_op.drop_index('ix_chequier_collectivite_number')
        batch_op.drop_index('ix_chequier_collectivite_issued_on')

    with op.batch_alter_table('cheque', schema=None) as batch_op:
        batch_op.drop_index('ix_cheque_collectivite_number')
        batch_op.drop_index('ix_cheque_collectivite_accepted_on_id')
        batch_op.drop_index('ix_cheque_accepted_on_id')

    with op.batch_alter_table('daily_payment_delay', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_payment_delay_paid_on')
        batch_op.drop_index('ix_daily_payment_delay_decided_on')
        batch_op.drop_index(batch_op.f('ix_daily_payment_delay_collectivite_id'))

    op.drop_table('daily_payment_delay')
    with op.batch_alter_table('daily_figure', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_figure_day')

    op.drop_table('daily_figure')
    op.drop_table('aggregate_refresh')
