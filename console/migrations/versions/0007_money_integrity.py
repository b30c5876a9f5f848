"""money integrity: server timestamps and late entries, authorised prescripteurs, distribution per cheque,
fee rate precision,
fraud-block kinds, users never deleted (ON DELETE RESTRICT from every history row)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

#: Every history column naming the user who acted (tenants.models.user_fk).
USER_FKS = {
    'affiliation_transition': ['user_id'],
    'cgu_version': ['published_by_id'],
    'complaint': ['recorded_by_id'],
    'complaint_event': ['by_id'],
    'fee_schedule': ['created_by_id'],
    'lookup_audit': ['user_id'],
    'partner_block': ['blocked_by_id', 'unblocked_by_id'],
    'partner_change': ['changed_by_id'],
    'payment_batch': ['created_by_id'],
    'reimbursement_request': ['submitted_by_id', 'decided_by_id', 'paid_by_id'],
    'report_export': ['user_id'],
    'report_subscription': ['user_id', 'created_by_id'],
    'rib_change_request': ['requested_by_id', 'decided_by_id'],
    'stored_document': ['uploaded_by_id'],
}
# SQLite's foreign keys are unnamed: batch mode names them by this convention to drop and re-create them.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _user_fks(ondelete: str | None) -> None:
    inspector = sa.inspect(op.get_bind())
    for table, columns in USER_FKS.items():
        names = {tuple(fk['constrained_columns']): fk['name'] for fk in inspector.get_foreign_keys(table)
                 if fk['referred_table'] == 'ab_user'}
        with op.batch_alter_table(table, schema=None, naming_convention=NAMING) as batch_op:
            for column in columns:
                name = names.get((column,)) or f'fk_{table}_{column}_ab_user'
                batch_op.drop_constraint(name, type_='foreignkey')
                batch_op.create_foreign_key(name, 'ab_user', [column], ['id'], ondelete=ondelete)


def upgrade() -> None:
    op.create_table('prescripteur',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('collectivite_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collectivite_id'], ['collectivite.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('collectivite_id', 'name', name='uq_prescripteur_name')
    )
    with op.batch_alter_table('prescripteur', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prescripteur_collectivite_id'), ['collectivite_id'], unique=False)
    # Existing chéquiers were issued to free text: each distinct name becomes an authorised prescripteur of its
    # collectivité, and the chéquier points to it (the name stays copied on the chéquier and its cheques).
    op.execute("INSERT INTO prescripteur (name, active, created_at, collectivite_id)"
               " SELECT DISTINCT prescripteur, true, CURRENT_TIMESTAMP, collectivite_id FROM chequier")
    with op.batch_alter_table('chequier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prescripteur_id', sa.Integer(), nullable=True))
    op.execute("UPDATE chequier SET prescripteur_id = (SELECT p.id FROM prescripteur p"
               " WHERE p.collectivite_id = chequier.collectivite_id AND p.name = chequier.prescripteur)")
    with op.batch_alter_table('chequier', schema=None) as batch_op:
        batch_op.alter_column('prescripteur_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_chequier_prescripteur_id'), ['prescripteur_id'], unique=False)
        batch_op.create_foreign_key('fk_chequier_prescripteur', 'prescripteur', ['prescripteur_id'], ['id'])
    with op.batch_alter_table('cheque', schema=None) as batch_op:
        batch_op.add_column(sa.Column('distributed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('accepted_late_justification', sa.Text(), nullable=True))
    with op.batch_alter_table('reimbursement_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_justification', sa.Text(), nullable=True))
    with op.batch_alter_table('reimbursement_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejection', sa.Enum('expired', 'not_distributed', 'not_eligible', 'duplicate',
                                                           'other', name='cheque_rejection', native_enum=False,
                                                           length=20), nullable=True))
        batch_op.add_column(sa.Column('rejection_note', sa.Text(), nullable=True))
    with op.batch_alter_table('partner_block', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_by_operator', sa.Boolean(), server_default=sa.false(), nullable=False))
    # A rate of 0,149 % was stored as 0,15 %: the column keeps what the form accepts (money.rules.RATE_STEP).
    with op.batch_alter_table('fee_schedule', schema=None) as batch_op:
        batch_op.alter_column('rate', existing_type=sa.Numeric(precision=5, scale=2),
                              type_=sa.Numeric(precision=6, scale=3), existing_nullable=False)
    # Existing data: a cheque of a distributed chéquier was distributed with it; an accepted cheque was
    # recorded on its acceptance day (the exact time was not kept before this revision).
    op.execute("UPDATE cheque SET distributed_on = (SELECT chequier.distributed_on FROM chequier"
               " WHERE chequier.id = cheque.chequier_id AND chequier.status = 'distributed')")
    op.execute("UPDATE cheque SET accepted_at = accepted_on WHERE accepted_on IS NOT NULL")
    _user_fks('RESTRICT')


def downgrade() -> None:
    with op.batch_alter_table('chequier', schema=None) as batch_op:
        batch_op.drop_constraint('fk_chequier_prescripteur', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_chequier_prescripteur_id'))
        batch_op.drop_column('prescripteur_id')
    with op.batch_alter_table('prescripteur', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prescripteur_collectivite_id'))
    op.drop_table('prescripteur')
    _user_fks(None)
    with op.batch_alter_table('reimbursement_line', schema=None) as batch_op:
        batch_op.drop_column('rejection_note')
        batch_op.drop_column('rejection')
    with op.batch_alter_table('fee_schedule', schema=None) as batch_op:
        batch_op.alter_column('rate', existing_type=sa.Numeric(precision=6, scale=3),
                              type_=sa.Numeric(precision=5, scale=2), existing_nullable=False)
    with op.batch_alter_table('partner_block', schema=None) as batch_op:
        batch_op.drop_column('set_by_operator')
    with op.batch_alter_table('reimbursement_request', schema=None) as batch_op:
        batch_op.drop_column('late_justification')
    with op.batch_alter_table('cheque', schema=None) as batch_op:
        batch_op.drop_column('accepted_late_justification')
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('distributed_on')
