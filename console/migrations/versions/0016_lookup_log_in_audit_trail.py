"""look-up log in the audit trail: the former lookup_audit rows appended as lookup.imported events, table dropped

Revision ID: 0016
Revises: 0015

A look-up used to be written twice, to lookup_audit (the look-up log page) and to audit_event. The log is now
read from audit_event alone. The trail is hash-chained and append-only, so the old rows cannot be slotted
in at their original place: each is appended, in id order, at the end of the chain of its searcher's
collectivité (or the platform's), as a `lookup.imported` event dated the moment of the migration, whose
details keep the original time (`searched_at`), query, channel and count. The searcher's login and name are
copied as they are at the migration. Before the import these rows had no chain protecting them: the trail
vouches for them from the migration on. A downgrade re-creates the table empty (events are never removed).
"""
from alembic import op
import sqlalchemy as sa

from console.audit.canonical import GENESIS, dumps, event_hash
from console.audit.models import AuditEvent, chain_of
from console.tenants.models import utcnow


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

EVENT_COLUMNS = ('chain', 'seq', 'at', 'collectivite_id', 'actor_id', 'actor_login', 'actor_name',
                 'service_account', 'action', 'object_type', 'object_id', 'details', 'client_address',
                 'request_id', 'prev_hash', 'hash')
# The tables as this revision knows them (a later model may hold more columns).
LOOKUP = sa.table('lookup_audit', *(sa.column(name) for name in (
    'id', 'collectivite_id', 'user_id', 'searched', 'channel', 'result_count')), sa.column('at', sa.DateTime))
USERS = sa.table('ab_user', sa.column('id'), sa.column('username'), sa.column('first_name'), sa.column('last_name'))
CHAINS = sa.table('audit_chain', sa.column('chain'), sa.column('seq'), sa.column('last_hash'))
EVENTS = sa.table('audit_event', *(sa.column(name, sa.DateTime) if name == 'at' else sa.column(name)
                                   for name in EVENT_COLUMNS))


def _imported(row, chain: str, seq: int, prev_hash: str, at) -> dict:
    """The event of one former look-up, hashed by the trail's own rule (``AuditEvent.hashed_fields``)."""
    name = " ".join(part for part in (row.first_name, row.last_name) if part) or None
    event = AuditEvent(
        chain=chain, seq=seq, at=at, collectivite_id=row.collectivite_id, actor_id=row.user_id,
        actor_login=row.username, actor_name=name, service_account=None, action='lookup.imported',
        object_type='lookup_audit', object_id=str(row.id), client_address=None, request_id=None,
        details=dumps({'searched_at': row.at.isoformat(timespec='microseconds'), 'query': row.searched,
                       'channel': row.channel, 'count': row.result_count}),
        prev_hash=prev_hash)
    event.hash = event_hash(prev_hash, event.hashed_fields())
    return {name: getattr(event, name) for name in EVENT_COLUMNS}


def import_lookups(connection) -> int:
    """Append every lookup_audit row to its chain; the number of events written."""
    heads = {row.chain: (row.seq, row.last_hash) for row in connection.execute(sa.select(CHAINS))}
    known = set(heads)
    rows = connection.execute(
        sa.select(LOOKUP, USERS.c.username, USERS.c.first_name, USERS.c.last_name)
        .select_from(LOOKUP.outerjoin(USERS, USERS.c.id == LOOKUP.c.user_id)).order_by(LOOKUP.c.id))
    at, count = utcnow(), 0
    for row in rows.all():
        chain = chain_of(row.collectivite_id)
        seq, prev_hash = heads.get(chain, (0, GENESIS))
        event = _imported(row, chain, seq + 1, prev_hash, at)
        connection.execute(EVENTS.insert().values(**event))
        heads[chain] = (seq + 1, event['hash'])
        count += 1
    for chain, (seq, last_hash) in heads.items():
        if chain in known:
            connection.execute(CHAINS.update().where(CHAINS.c.chain == chain).values(seq=seq, last_hash=last_hash))
        else:
            connection.execute(CHAINS.insert().values(chain=chain, seq=seq, last_hash=last_hash))
    return count


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_action_at', ['action', 'at', 'id'], unique=False)
    import_lookups(op.get_bind())
    with op.batch_alter_table('lookup_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_lookup_audit_collectivite_at')
    op.drop_table('lookup_audit')


def downgrade() -> None:
    op.create_table('lookup_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collectivite_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('searched', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('result_count', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['collectivite_id'], ['collectivite.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lookup_audit', schema=None) as batch_op:
        batch_op.create_index('ix_lookup_audit_collectivite_at', ['collectivite_id', 'at'], unique=False)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_action_at')
