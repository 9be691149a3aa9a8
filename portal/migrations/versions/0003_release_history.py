"""release history summary

Adds release.summary, what a procurement's history shows of each release (portal.collect.history), and
backfills it by parsing each stored release once, in batches read by id so a large table is never held
in memory. Releases stored from now on get it at ingest.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 08:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import portal.models.tables


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 500

_release = sa.table(
    'release',
    sa.column('id', sa.Integer()),
    sa.column('source', sqlmodel.sql.sqltypes.AutoString()),
    sa.column('raw', sa.Text()),
    sa.column('raw_cy', sa.Text()),
    sa.column('summary', portal.models.tables.ReleaseSummaryJSON()),
)


def upgrade() -> None:
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', portal.models.tables.ReleaseSummaryJSON(), nullable=True))
    backfill(op.get_bind())


def backfill(connection, batch: int = BATCH) -> int:
    """Summarise every stored release, `batch` rows at a time; return how many rows were read."""
    from portal.collect.history import summarise_stored  # the parser, imported only when backfilling

    read = select_after = 0
    store = (
        sa.update(_release)
        .where(_release.c.id == sa.bindparam('_id'))
        .values(summary=sa.bindparam('_summary', type_=portal.models.tables.ReleaseSummaryJSON()))
    )
    while True:
        rows = connection.execute(
            sa.select(_release.c.id, _release.c.source, _release.c.raw, _release.c.raw_cy)
            .where(_release.c.id > select_after)
            .order_by(_release.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return read
        summaries = [
            {'_id': row.id, '_summary': summarise_stored(row.id, row.raw, row.raw_cy, row.source)} for row in rows
        ]
        connection.execute(store, summaries)
        read += len(rows)
        select_after = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.drop_column('summary')
