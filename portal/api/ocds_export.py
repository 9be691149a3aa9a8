"""OCDS 1.1 packages of what we received: release packages of a search, and a record package per ocid.

Releases are given exactly as the registers published them (Release.raw). A record's compiled release is
built by ocdsmerge with the OCDS 1.1 release schema, read from a copy kept in portal/api/schemas/ocds/ so that
merging never fetches anything over the network.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from functools import lru_cache
from pathlib import Path

import ocdsmerge
from ocdsmerge.exceptions import OCDSMergeError, OCDSMergeWarning
from sqlmodel import Session, col, select

from portal.models.tables import Procurement, Release, utcnow
from scrapers.json_text import loads_tolerant

log = logging.getLogger(__name__)
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "ocds" / "1__1__5"
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"
VERSION = "1.1"
PUBLISHER = {"name": "Piblinell"}


@lru_cache
def schema(name: str = "release-schema.json") -> dict:
    """Return one of the OCDS 1.1 schemas (release-schema.json, release-package-schema.json, …) as a dict."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@lru_cache
def merger() -> ocdsmerge.Merger:
    """Return the ocdsmerge Merger of the OCDS 1.1 release schema (its merge rules are worked out once)."""
    return ocdsmerge.Merger(schema=schema())


@lru_cache
def numeric_fields() -> dict[str, str]:
    """Return {property name: "number" or "integer"} of the release schema's properties that must be numbers."""
    found: dict[str, str] = {}

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, item in node.items():
                if key == "properties" and isinstance(item, dict):
                    for name, prop in item.items():
                        kinds = set(prop.get("type") or ()) - {"null"} if isinstance(prop, dict) else set()
                        if kinds and kinds <= {"number", "integer"}:
                            found[name] = "integer" if kinds == {"integer"} else "number"
                walk(item)

    walk(schema())
    return found


def _representable(value, kind: str) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value is None
    return math.isfinite(value) and (kind == "number" or float(value).is_integer())


def republishable(value):
    """Return a release as received, less the numbers OCDS cannot carry: a number field holding something else
    (Find a Tender's `"durationInDays": "1e9999"`) or a number no JSON can (NaN) is left out, not invented."""
    if isinstance(value, list):
        return [republishable(item) for item in value]
    if not isinstance(value, dict):
        return value
    fields = numeric_fields()
    return {
        key: republishable(item)
        for key, item in value.items()
        if key not in fields or _representable(item, fields[key])
    }


def _loads(release: Release) -> dict | None:
    try:
        data = loads_tolerant(release.raw.encode("utf-8"))
    except ValueError:
        log.warning("release %s is not JSON", release.id)
        return None
    return republishable(data) if isinstance(data, dict) else None


def _package(uri: str) -> dict:
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "publisher": dict(PUBLISHER),
    }


def releases_of(session: Session, procurement_ids: list[int]) -> dict[int, list[dict]]:
    """Return {procurement id: its releases as received, oldest first}."""
    found: dict[int, list[dict]] = {pid: [] for pid in procurement_ids}
    if not procurement_ids:
        return found
    statement = (
        select(Release)
        .where(col(Release.procurement_id).in_(procurement_ids))
        .order_by(col(Release.date), col(Release.id))
    )
    for release in session.exec(statement):
        data = _loads(release)
        if data is not None:
            found[release.procurement_id].append(data)
    return found


def release_package(session: Session, procurements: list[Procurement], uri: str) -> dict:
    """Return a release package of every release received about some procurements, in their order."""
    by_procurement = releases_of(session, [p.id for p in procurements])
    releases, seen = [], set()
    for procurement in procurements:
        for release in by_procurement[procurement.id]:
            key = (release.get("ocid"), release.get("id"))
            if key not in seen:  # a register that sent one release twice must not repeat it here
                seen.add(key)
                releases.append(release)
    return _package(uri) | {"releases": releases}


def compiled_release(releases: list[dict]) -> dict | None:
    """Return the compiled release of one ocid's releases, or None when they cannot be merged."""
    dated = [release for release in releases if isinstance(release.get("date"), str)]
    if not dated:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OCDSMergeWarning)  # duplicate ids within a list: merged anyway
            return merger().create_compiled_release(dated)
    except OCDSMergeError as error:
        log.warning("could not compile %s: %s", releases[0].get("ocid"), error)
        return None


def record_releases(session: Session, ocid: str) -> list[dict]:
    """Return the releases of one ocid as received, oldest first, each release id once."""
    statement = select(Release).where(Release.ocid == ocid).order_by(col(Release.date), col(Release.id))
    releases, seen = [], set()
    for release in session.exec(statement):
        data = _loads(release)
        if data is not None and data.get("id") not in seen:
            seen.add(data.get("id"))
            releases.append(data)
    return releases


def record_package(session: Session, ocid: str, uri: str) -> dict | None:
    """Return the record package of one ocid (its releases and compiled release), or None when unknown."""
    releases = record_releases(session, ocid)
    if not releases:
        return None
    record = {"ocid": ocid, "releases": releases}
    compiled = compiled_release(releases)
    if compiled is not None:
        record["compiledRelease"] = compiled
    return _package(uri) | {"records": [record]}
