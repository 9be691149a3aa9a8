"""Buyers publish planned work: entries, their form, CSV upload, OCDS planning releases and the dashboard.

See docs/design.md, "Publishing planned work".
"""

from __future__ import annotations

from flask import Flask


def withdrawal_reason(ocid: str) -> str | None:
    """Return why the buyer withdrew the planned work published under an ocid (None when it is not withdrawn):
    the notice page shows it to suppliers."""
    from sqlmodel import select

    from portal.db import get_session
    from portal.models.publishing import PlannedWork

    query = select(PlannedWork.withdrawn_reason).where(PlannedWork.ocid == ocid, PlannedWork.status == "withdrawn")
    return get_session().exec(query).first()


def init_app(app: Flask) -> None:
    """Register the publishing blueprint (its views and the CSV upload views share it), and give templates the
    reason a published entry was withdrawn."""
    from portal.publishing import upload_views, views  # noqa: F401  (upload_views adds its routes to views.bp)

    app.register_blueprint(views.bp)
    app.jinja_env.globals["withdrawal_reason"] = withdrawal_reason
