"""The Sell2Wales RSS fallback: keep what each item carries and link it to its full notice."""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlmodel import col, select

from portal.collect import linking
from portal.db import session_scope
from portal.models.tables import CollectorRun, RssItem, utcnow
from scrapers.base import FeedError
from scrapers.client import PoliteClient
from scrapers.sell2wales_rss import Sell2WalesRss

log = logging.getLogger(__name__)
SOURCE = "s2w-rss"


def collect_rss(sleep=time.sleep) -> CollectorRun:
    """Fetch the Sell2Wales RSS feed and store its new items; a failure is recorded, never raised."""
    config = current_app.config
    client = PoliteClient(
        config["USER_AGENT"],
        min_interval=config["S2W_RSS_MIN_INTERVAL"],
        max_retries=config["HTTP_MAX_RETRIES"],
        sleep=sleep,
    )
    feed = Sell2WalesRss(client, config["S2W_RSS_BASE_URL"])
    with session_scope() as session:
        run = CollectorRun(source=SOURCE, started_at=utcnow())
        try:
            items = feed.fetch()
            run.releases_seen = len(items)
            run.releases_new = store_items(session, items)
            run.status = "ok"
        except FeedError as error:
            session.rollback()
            run.status, run.error = "failed", str(error)
            log.error("Sell2Wales RSS failed: %s", error)
        run.finished_at = utcnow()
        session.add(run)
        session.commit()
        return run


def store_items(session, items) -> int:
    """Store RSS items not seen before, linked to their procurement when the full notice is here."""
    guids = [item.guid for item in items]
    seen = set(session.exec(select(RssItem.guid).where(col(RssItem.guid).in_(guids))))
    refs = [("s2w-ref", item.notice_ref) for item in items if item.notice_ref]
    known = linking.load_keys(session, refs)
    new = 0
    for item in items:
        if item.guid in seen:
            continue
        seen.add(item.guid)
        session.add(
            RssItem(
                guid=item.guid[:500],
                title=item.title,
                link=item.link[:1000],
                summary=item.summary,
                published=item.published,
                notice_ref=item.notice_ref,
                procurement_id=known.get(("s2w-ref", item.notice_ref)),
                received_at=utcnow(),
            )
        )
        new += 1
    session.flush()
    return new
