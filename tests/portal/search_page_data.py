"""The search page tests' extra notices and the helpers that read result rows and filters off a page."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import fts_release

CPV_DIVISIONS = ["03", "09", "14", "15", "16", "18", "19", "22", "24", "30", "30", "31"]


def category_releases() -> list[dict]:
    """Return open tenders in twelve more CPV divisions (two in 30), so the category filter has sixteen."""
    return [
        fts_release(ocid=f"ocds-h6vhtk-0f02{n:02d}", notice_id=f"084{n:03d}-2026", cpv=f"{code}000000",
                    title=f"Supplies {n}", region="UKI")
        for n, code in enumerate(CPV_DIVISIONS)
    ]  # fmt: skip


def card(page, title: str):
    """Return the result card whose title is `title`."""
    for element in page.doc.iterfind(".//div[@class='piblinell-card']"):
        if page.text(element.find(".//h3")) == title:
            return element
    raise AssertionError(f"no result titled {title!r}")


def facts(page, title: str) -> dict[str, str]:
    """Return a card's facts as {key: "Label: text"}, keyed by the class piblinell-facts__row--<key>."""
    rows = card(page, title).iterfind(".//div")
    prefix = "piblinell-facts__row piblinell-facts__row--"
    return {
        row.get("class").removeprefix(prefix): page.text(row) for row in rows if row.get("class", "").startswith(prefix)
    }


def stage_releases(now) -> list[dict]:
    """An award with a value, a date and four suppliers, and a cancelled tender."""
    award = fts_release(
        ocid="ocds-h6vhtk-0f0101", notice_id="083001-2026", notice_type="UK6", deadline=None,
        title="Highway lighting maintenance", date=(now - timedelta(days=9)).isoformat(),
    )  # fmt: skip
    names = ["Goleuadau Gwynedd Cyf", "Lampau Llŷn", "Brightway Ltd", "Street Light plc"]
    award["parties"] += [{"id": f"L{n}", "name": name, "roles": ["supplier"]} for n, name in enumerate(names)]
    award["awards"] = [
        {"id": str(n + 1), "status": "active", "date": date, "value": {"amount": amount, "currency": "GBP"},
         "suppliers": [{"id": f"L{2 * n + k}", "name": names[2 * n + k]} for k in (0, 1)]}
        for n, (date, amount) in enumerate((("2026-03-01T10:00:00+00:00", 80000), ("2026-02-20T10:00:00Z", 40000)))
    ]  # fmt: skip
    tender = fts_release(
        ocid="ocds-h6vhtk-0f0102", notice_id="083002-2026", title="Library van hire", date="2026-03-20T09:00:00Z"
    )
    cancelled = fts_release(
        ocid="ocds-h6vhtk-0f0102", notice_id="083003-2026", notice_type="UK12", date="2026-04-02T09:00:00+01:00"
    )
    return [award, tender, cancelled]


def fieldset_of(page, element_id: str):
    """Return the fieldset holding an element."""
    return next(f for f in page.doc.iter("fieldset") if f.find(f".//*[@id='{element_id}']") is not None)


def category_boxes(page) -> tuple[list[str], list[str]]:
    """Return the CPV checkboxes' values before "Show all" and inside it."""
    fieldset = fieldset_of(page, "filter-cpv")
    inside = page.by_id("filter-cpv-all")
    rest = [box.get("value") for box in inside.iter("input")] if inside is not None else []
    return [box.get("value") for box in fieldset.iter("input") if box.get("value") not in rest], rest
