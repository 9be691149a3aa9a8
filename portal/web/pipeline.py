"""The pipeline page: forward work by the quarter it is expected to come to market, and contracts due for renewal."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from portal.db import get_session
from portal.i18n import LANG_PREFIX
from portal.labels.formatting import quarter_label
from portal.labels.places import region_choices
from portal.models.tables import utcnow
from portal.search.params import parse_search_args
from portal.web import forward_work
from portal.web.forms import PipelineFilterForm
from scrapers.vocabulary import FORWARD_STAGES, LONDON

bp = Blueprint("pipeline", __name__, url_prefix=LANG_PREFIX)


@bp.route("/pipeline")
def pipeline():
    """Show planned work by the quarter it is expected to come to market, and contracts due for renewal."""
    session, now = get_session(), utcnow()
    # the same parameters, filters and index as the search page: ?region=UKL&cpv=72&wales=y&sme=y&q=…
    params = parse_search_args(request.args)
    forward = forward_work.matching_ids(params, FORWARD_STAGES)
    form = PipelineFilterForm(formdata=request.args)
    form.region.choices = [("", _("Any region"))] + region_choices()
    quarters = forward_work.next_quarters(now, 8)
    expected = forward_work.expected_by_quarter(session, quarters, forward)
    rows = _timeline_rows(expected, quarters)
    if rows and rows[0]["key"] == "earlier":
        rows[0]["href"] = overdue_search_url(quarters[0])
    for row in rows:
        if row["key"] != "earlier" and row["key"] != "later" and row["count"]:
            row["notices"] = forward_work.forward_in_quarter(session, row.get("quarter"), forward)
    renewals = forward_work.renewals(session, now, 18, forward_work.matching_ids(params, ("awarded",)))
    renewal_rows = [{"label": quarter_label(q), "count": n} for q, n in renewals["counts"].items()]
    return render_template(
        "pipeline/pipeline.html",
        form=form,
        params=params,
        rows=_with_bars(rows),
        renewals=renewals,
        renewal_rows=_with_bars(renewal_rows),
    )


# The pipeline page's own filters, carried to the search that lists its overdue work.
CARRIED = ("q", "region", "cpv", "wales", "sme")


def overdue_search_url(this_quarter: tuple[int, int]) -> str:
    """Return the search for forward work expected before this quarter (overdue: no tender yet), soonest first,
    within the page's filters: its expected tender date is on or before the last London day of last quarter."""
    last_day = forward_work.quarter_start(this_quarter).astimezone(LONDON).date() - timedelta(days=1)
    carried = {name: request.args.getlist(name) for name in CARRIED if request.args.getlist(name)}
    return url_for(
        "search.search",
        stage=list(FORWARD_STAGES),
        expected_to=last_day.isoformat(),
        sort="expected_soonest",
        **carried,
    )


def _timeline_rows(expected: dict, quarters: list) -> list[dict]:
    """Return the timeline's rows: any overdue work, each quarter, any later work, then the undated."""
    rows = []
    if expected["earlier"]:
        rows.append({"key": "earlier", "label": _("Expected before this quarter"), "count": expected["earlier"]})
    for quarter in quarters:
        rows.append(
            {
                "key": f"{quarter[0]}-q{quarter[1]}",
                "quarter": quarter,
                "label": quarter_label(quarter),
                "count": expected["counts"][quarter],
                "value": expected["values"][quarter],
            }
        )
    if expected["later"]:
        rows.append({"key": "later", "label": _("Later"), "count": expected["later"]})
    rows.append({"key": "undated", "quarter": None, "label": _("Date not given"), "count": expected["undated"]})
    return rows


def _with_bars(rows: list[dict]) -> list[dict]:
    """Give each row a bar width in twentieths of the largest count (CSS classes, so no inline styles)."""
    largest = max((row["count"] for row in rows), default=0) or 1
    for row in rows:
        row["bar"] = round(20 * row["count"] / largest)
    return rows
