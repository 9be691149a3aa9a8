"""The one vocabulary of stages and time that the parsers, the database, the search and the pages share.

See docs/design.md, "Stages". A register's own words (notice types, tags, statuses) are mapped onto these
in `scrapers.ocds`; labels in English and Welsh live in `portal.labels.formatting`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

# A procurement's stage, in the order work moves through them: models, filters, API and URLs use these.
STAGES = ("pipeline", "engagement", "planned", "open", "closed", "awarded", "cancelled")

# Work still coming to market: the pipeline timeline, a buyer's forward work, iCal's expected dates.
FORWARD_STAGES = ("pipeline", "engagement", "planned")

# A release's stage hint, in the same order: "tender" becomes open or closed when compiled against the clock.
RELEASE_STAGES = ("pipeline", "engagement", "planned", "tender", "awarded", "cancelled")

# The registers publish and read local UK times; quarters and days are reckoned here too.
LONDON = ZoneInfo("Europe/London")
