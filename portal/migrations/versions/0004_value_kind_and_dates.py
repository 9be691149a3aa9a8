"""value kind and dates given as days

Adds procurement.value_kind (what value_amount and value_gross are: estimated, awarded or contract) and a
<date>_is_date flag for each date a register may give as a day (scrapers.compiler.DATE_FIELDS), then
recompiles every stored procurement from its stored releases, in batches read by id, so rows stored before
get the award and contract values, the CPV codes and regions of award items, the awarded contract dates
and the dates given as days that the parser now reads. Each recompiled row gets a new changed_at, so the
search index syncs it. Procurements stored from now on get all of this at ingest.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import portal.models.tables


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 200
FLAGS = (
    'deadline_is_date',
    'expected_tender_date_is_date',
    'engagement_deadline_is_date',
    'contract_start_is_date',
    'contract_end_is_date',
    'contract_max_extent_is_date',
)
# The procurement columns a recompile writes, as they are at this revision (ocid and buyer_id are kept).
_WHEN = portal.models.tables.UTCDateTime()
_COLUMNS = {
    'stage': sa.String(), 'sources': sa.JSON(), 'notice_types': sa.JSON(), 'latest_notice_type': sa.String(),
    'title': sa.Text(), 'description': sa.Text(), 'title_cy': sa.Text(), 'description_cy': sa.Text(),
    'buyer_name': sa.String(), 'value_amount': sa.Float(), 'value_gross': sa.Float(), 'currency': sa.String(),
    'value_kind': sa.String(), 'value_min': sa.Float(), 'value_max': sa.Float(), 'main_cpv': sa.String(),
    'cpv': sa.JSON(), 'regions': sa.JSON(), 'published_at': _WHEN, 'updated_at': _WHEN, 'deadline': _WHEN,
    'expected_tender_date': _WHEN, 'engagement_deadline': _WHEN, 'contract_start': _WHEN, 'contract_end': _WHEN,
    'contract_max_extent': _WHEN, **{flag: sa.Boolean() for flag in FLAGS}, 'sme': sa.Boolean(),
    'vcse': sa.Boolean(), 'above_threshold': sa.Boolean(), 'procurement_method': sa.String(),
    'procurement_method_details': sa.String(), 'main_category': sa.String(), 'in_wales': sa.Boolean(),
    'links': sa.JSON(), 'related_ids': sa.JSON(), 'lots': sa.JSON(), 'awards': sa.JSON(),
}
_procurement = sa.table(
    'procurement',
    sa.column('id', sa.Integer()),
    sa.column('changed_at', _WHEN),
    *(sa.column(name, type_) for name, type_ in _COLUMNS.items()),
)
_release = sa.table(
    'release',
    sa.column('id', sa.Integer()),
    sa.column('procurement_id', sa.Integer()),
    sa.column('source', sqlmodel.sql.sqltypes.AutoString()),
    sa.column('raw', sa.Text()),
    sa.column('raw_cy', sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table('procurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value_kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        for flag in FLAGS:
            batch_op.add_column(sa.Column(flag, sa.Boolean(), server_default='0', nullable=False))
    recompile(op.get_bind())


def recompile(connection, batch: int = BATCH) -> int:
    """Recompile every procurement from its stored releases, `batch` procurements at a time; return how many."""
    from portal.collect.prepare import compile_stored  # the parser, imported only when recompiling
    from portal.models.tables import utcnow

    done = select_after = 0
    store = (
        sa.update(_procurement)
        .where(_procurement.c.id == sa.bindparam('_id'))
        .values({name: sa.bindparam(name, type_=type_) for name, type_ in _COLUMNS.items()})
        .values(changed_at=sa.bindparam('changed_at', type_=_WHEN))
    )
    while True:
        ids = connection.execute(
            sa.select(_procurement.c.id)
            .where(_procurement.c.id > select_after)
            .order_by(_procurement.c.id)
            .limit(batch)
        ).scalars().all()
        if not ids:
            return done
        releases: dict[int, list] = {pid: [] for pid in ids}
        rows = connection.execute(
            sa.select(_release.c.procurement_id, _release.c.source, _release.c.raw, _release.c.raw_cy)
            .where(_release.c.procurement_id.in_(ids))
            .order_by(_release.c.id)
        )
        for row in rows:
            releases[row.procurement_id].append((row.source, row.raw, row.raw_cy))
        now = utcnow()
        compiled = {pid: compile_stored(found, now) for pid, found in releases.items() if found}
        values = [
            {'_id': pid, 'changed_at': now, **{name: found[name] for name in _COLUMNS}}
            for pid, found in compiled.items()
            if found is not None
        ]
        if values:
            connection.execute(store, values)
        done += len(values)
        select_after = ids[-1]


def downgrade() -> None:
    # Not in batch mode: SQLite (3.35+) drops a plain column in place, where a batch would copy the table
    # and fail to drop the old one while releases still reference it.
    for name in (*reversed(FLAGS), 'value_kind'):
        op.drop_column('procurement', name)
