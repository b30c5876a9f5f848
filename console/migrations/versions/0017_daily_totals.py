"""daily figures of payments (paid, days waited, paid late, unpaid) and every collectivité's totals (daily_total);
daily_payment_delay dropped

Revision ID: 0017
Revises: 0016

The dashboards read payment delays from daily_payment_delay, one row per (validation day, payment day) pair:
thousands of rows a year for a large collectivité, summed in Python on every page. The daily figures now
count them per day (requests paid that day and the days they waited; requests validated that day paid late,
or unpaid), and daily_total adds up every collectivité, so that the all-collectivités dashboard reads a row
a day. The rows computed before lack these counts: they are removed with the refresh marks, so that every
dashboard says its figures are being computed until the periodic job (every 15 minutes) has refreshed them
(console/reports/aggregates.py). A downgrade re-creates daily_payment_delay empty, for the same reason.
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
PAYMENTS = ('paid_requests', 'paid_days', 'paid_late', 'unpaid')
AMOUNTS = ('gross', 'fees', 'net')


def upgrade():
    op.execute('DELETE FROM daily_figure')
    op.execute('DELETE FROM aggregate_refresh')
    with op.batch_alter_table('daily_figure', schema=None) as batch_op:
        for name in PAYMENTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('daily_figure', schema=None) as batch_op:
        for name in PAYMENTS:  # the model gives its defaults: the server's only served this upgrade
            batch_op.alter_column(name, server_default=None)
    op.create_table('daily_total',
    sa.Column('day', sa.Date(), nullable=False),
    *(sa.Column(name, sa.Numeric(precision=14, scale=2) if name in AMOUNTS else sa.Integer(), nullable=False)
      for name in FIGURES + PAYMENTS),
    sa.PrimaryKeyConstraint('day')
    )
    with op.batch_alter_table('daily_payment_delay', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_payment_delay_paid_on')
        batch_op.drop_index('ix_daily_payment_delay_decided_on')
        batch_op.drop_index(batch_op.f('ix_daily_payment_delay_collectivite_id'))
    op.drop_table('daily_payment_delay')


def downgrade():
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
    op.drop_table('daily_total')
    op.execute('DELETE FROM daily_figure')
    op.execute('DELETE FROM aggregate_refresh')
    with op.batch_alter_table('daily_figure', schema=None) as batch_op:
        for name in reversed(PAYMENTS):
            batch_op.drop_column(name)
