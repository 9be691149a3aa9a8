"""What each address is told in one run: the due subscriptions' matches and the follows' material changes,
by procurement, all in ONE digest per address (per frequency, per run). Works in the composer's transaction
(portal.alerts.deliver.prepare), moving each row's watermark (and a follow's baseline) to the batch's end.
See docs/design.md, "Email alerts: sending".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from portal.alerts import batch
from portal.alerts.changes import baseline_of, differences, updated_baseline
from portal.alerts.compose import Item, Match, section_of
from portal.models.alerts import Subscriber

log = logging.getLogger(__name__)


@dataclass
class Plan:
    """What one address is told in a run, in one email: its items by procurement (each once, naming every
    search that found it and what changed if it is followed) and the rows (subscriptions, follows) each came
    from."""

    subscriber: Subscriber
    items: dict[int, Item] = field(default_factory=dict)
    queries: dict[int, str] = field(default_factory=dict)  # subscription id -> its saved query
    # (kind, row id, procurement id, release id, section, matched JSON)
    rows: list[tuple] = field(default_factory=list)

    def covered(self) -> tuple[list[int], list[int]]:
        """The subscriptions and follows the email is about (each found something in it, listed or beyond the
        cap): what its one-click unsubscribe ends."""
        follows = sorted({row_id for kind, row_id, *_ in self.rows if kind == "follow"})
        return sorted(self.queries), follows


def _plan_for(plans: dict[int, Plan], subscriber: Subscriber) -> Plan:
    return plans.setdefault(subscriber.id, Plan(subscriber))


def _match(queries: dict[int, str], candidates: list) -> tuple[dict, set[int]]:
    """Match every saved search once (portal.alerts.matcher.match_batch). Should the batch fail, match each
    search alone, so one search the matcher cannot handle delays only its own subscribers; return the matches
    and the ids of the searches that failed (logged)."""
    from portal.alerts.matcher import match_batch  # alertsmatch's module

    try:
        return match_batch(queries, candidates), set()
    except Exception:
        log.exception("matching %d saved searches together failed; matching each alone", len(queries))
    found, failed = {}, set()
    for search_id, query in queries.items():
        try:
            found.update(match_batch({search_id: query}, candidates))
        except Exception:
            log.exception("saved search %s could not be matched: %r", search_id, query)
            failed.add(search_id)
    return found, failed


def plan_subscriptions(session, work, procurements, latest, end, plans) -> None:
    """Match every due saved search once over the batch; each subscription is told what arrived after its
    watermark, and open tenders closing within 7 days that it was never told (it subscribed after they were
    published), each release once."""
    by_id = {procurement.id: procurement for procurement in procurements}
    candidates = [procurement for procurement in procurements if section_of(procurement, end)]
    found, failed = _match(work.queries, candidates) if work.queries and candidates else ({}, set())
    already = batch.told(session, [row.id for row in work.subscriptions], list(by_id))
    for subscription in work.subscriptions:
        if subscription.saved_search_id in failed:
            continue  # its watermark stays: the next run tries again
        mark = batch.since(subscription)
        plan = None
        for procurement_id, words in sorted(found.get(subscription.saved_search_id, {}).items()):
            procurement, release_id = by_id[procurement_id], latest.get(procurement_id)
            section = section_of(procurement, end)
            if release_id is None or (procurement.changed_at <= mark and section != "closing"):
                continue  # not new to it (but a tender closing within 7 days it never heard of is)
            if (subscription.id, procurement_id, section) in already:
                continue
            if (subscription.id, procurement_id, release_id) in already:
                continue
            plan = plan or _plan_for(plans, work.subscribers[subscription.subscriber_id])
            query = work.queries[subscription.saved_search_id]
            item = plan.items.setdefault(procurement_id, Item(procurement, section))
            item.matches.append(Match(query, tuple(words)))
            plan.rows.append(("subscription", subscription.id, procurement_id, release_id, section, list(words)))
        if plan is not None:
            plan.queries[subscription.id] = work.queries[subscription.saved_search_id]
        subscription.delivered_until = end
        session.add(subscription)


def plan_follows(session, work, procurements, latest, end, plans) -> None:
    """Each due follow is told the material changes since its baseline (portal.alerts.changes), if any."""
    by_id = {procurement.id: procurement for procurement in procurements}
    for follow in work.follows:
        procurement = by_id.get(follow.procurement_id)
        if procurement is not None and procurement.changed_at > batch.since(follow):
            release_id = latest.get(procurement.id)
            facts = baseline_of(procurement, batch.release_json(session, release_id))
            changes = differences(follow.baseline, facts)
            if changes and release_id is not None and not batch.told_follow(session, follow.id, release_id):
                plan = _plan_for(plans, work.subscribers[follow.subscriber_id])
                item = plan.items.setdefault(procurement.id, Item(procurement, "changes"))
                item.section, item.changes = "changes", changes
                matched = [change.as_json() for change in changes]
                plan.rows.append(("follow", follow.id, procurement.id, release_id, "changes", matched))
            follow.baseline = updated_baseline(follow.baseline, facts) if follow.baseline else facts
        follow.delivered_until = end
        session.add(follow)
