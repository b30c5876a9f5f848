"""every collectivité's daily figures added up: daily_total and daily_payment_delay_total

Revision ID: 0017
Revises: 0016

The all-collectivités dashboard read every collectivité's daily rows (tens of thousands for a year of a
hundred collectivités); it now reads one row a day. The totals are filled here from the rows already
computed, then by every refresh (console/reports/aggregates.py).
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
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('daily_payment_delay_total', schema=None) as batch_op:
        batch_op.create_index('ix_daily_payment_delay_total_decided_on', ['decided_on'], unique=False)
        batch_op.create_index('ix_daily_payment_delay_total_paid_on', ['paid_on'], unique=False)
    columns = ', '.join(FIGURES)
    sums = ', '.join(f'sum({name})' for name in FIGURES)
    op.execute(f'INSERT INTO daily_total (day, {columns}) SELECT day, {sums} FROM daily_figure GROUP BY day')
    op.execute('INSERT INTO daily_payment_delay_total (decided_on, paid_on, requests) '
               'SELECT decided_on, paid_on, sum(requests) FROM daily_payment_delay GROUP BY decided_on, paid_on')


def downgrade():
    with op.batch_alter_table('daily_payment_delay_total', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_payment_delay_total_paid_on')
        batch_op.drop_index('ix_daily_payment_delay_total_decided_on')
    op.drop_table('daily_payment_delay_total')
    op.drop_table('daily_total')
