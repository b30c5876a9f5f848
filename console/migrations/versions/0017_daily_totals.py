"""every collectivité's daily figures added up (daily_total, daily_payment_delay_total); payment delays with
their days and lateness

Revision ID: 0017
Revises: 0016

The all-collectivités dashboard read every collectivité's daily rows (tens of thousands for a year of a
hundred collectivités); it now reads one row a day. Payment delays gain the days each group of requests
waited and whether it was paid late, so that dashboards sum them in the database. The rows computed before
lack those: they are removed with the refresh marks, so that every dashboard says its figures are being
computed until the periodic job (every 15 minutes) has refreshed them; the totals start empty for the same
reason (console/reports/aggregates.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

FIGURES = ('chequiers_issued', 'chequiers_distributed', 'chequiers_started', 'partners_approved',
           'cheques_accepted', 'cheques_reimbursed', 'gross', 'fees', 'net', 'complaints_received',
           'complaints_accepted', 'complaints_out_of_time')
AMOUNTS = ('gross', 'fees', 'net')


def upgrade():
    op.create_table('daily_total',
    sa.Column('day', sa.Date(), nullable=False),
    *(sa.Column(name, sa.Numeric(precision=14, scale=2) if name in AMOUNTS else sa.Integer(), nullable=False)
      for name in FIGURES),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('daily_payment_delay_total',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('daily_payment_delay_total', schema=None) as batch_op:
        batch_op.create_index('ix_daily_payment_delay_total_decided_on', ['decided_on'], unique=False)
        batch_op.create_index('ix_daily_payment_delay_total_paid_on', ['paid_on'], unique=False)
    op.execute('DELETE FROM daily_payment_delay')
    op.execute('DELETE FROM aggregate_refresh')
    with op.batch_alter_table('daily_payment_delay', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('late', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('daily_payment_delay', schema=None) as batch_op:
        batch_op.drop_column('late')
        batch_op.drop_column('days')
    with op.batch_alter_table('daily_payment_delay_total', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_payment_delay_total_paid_on')
        batch_op.drop_index('ix_daily_payment_delay_total_decided_on')
    op.drop_table('daily_payment_delay_total')
    op.drop_table('daily_total')
