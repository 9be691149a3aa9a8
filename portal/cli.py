"""The operator's commands: `flask collect`, `import`, `stats`, `sources`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.collect import jobs
from portal.collect.importer import import_paths
from portal.collect.rss import collect_rss
from portal.collect.stats import source_health, stats
from portal.db import session_scope
from scrapers.registry import COLLECTABLE, SOURCES


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or datetime") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@click.command("collect")
@with_appcontext
@click.argument("sources", nargs=-1)
@click.option("--since", help="ISO date or datetime to collect from (default: the watermark)")
@click.option("--until", help="ISO date or datetime to collect to (default: now)")
def collect_command(sources, since, until):
    """Collect notices from the registers (all configured sources by default; s2w-rss for the RSS fallback)."""
    for source in sources:
        if source not in COLLECTABLE:
            raise click.BadParameter(f"unknown source {source!r}; choose from {', '.join(COLLECTABLE)}")
    rss = any(not SOURCES[source].publishes_releases for source in sources)  # the Sell2Wales RSS fallback
    sources = [source for source in sources if SOURCES[source].publishes_releases]
    bars: dict[str, object] = {}

    def progress(name: str, done: int, total: int) -> None:
        if sys.stdout.isatty():
            if name not in bars:
                bars[name] = click.progressbar(length=total, label=f"{name}", show_pos=True)
                bars[name].__enter__()
            bars[name].update(1)
            if done == total:
                bars[name].__exit__(None, None, None)

    runs = jobs.collect(sources, _iso(since), _iso(until), progress=progress) if sources or not rss else []
    if rss:
        runs.append(collect_rss())
    failed = False
    for run in runs:
        click.echo(
            f"{run.source}: {run.status}, {run.pages} pages, {run.releases_new} new, {run.duplicates} duplicate, "
            f"{run.quarantined} quarantined" + (f" — {run.error}" if run.error else "")
        )
        for partition in run.failed_partitions:
            click.echo(f"  partition {partition['partition']} from {partition['start']} failed: {partition['error']}")
        failed |= run.status == "failed"
    if failed:
        sys.exit(1)


@click.command("import")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(paths):
    """Import OCDS releases from files (packages, arrays, JSON Lines; gzipped or not).

    A file that is not OCDS is refused with one line saying why, and the others are still imported;
    the exit status is 1 when nothing at all was imported (every file refused or release quarantined).
    """
    report = import_paths(list(paths))
    for path, problem in report.refused:
        click.echo(f"refused {path}: {problem}", err=True)
    counts = report.counts
    refused = f"; refused {len(report.refused)} of {len(paths)} files" if report.refused else ""
    click.echo(
        f"imported {counts.new} releases ({counts.updated} updated), skipped {counts.duplicates} as duplicate, "
        f"quarantined {counts.quarantined}; {len(counts.procurements)} procurements touched{refused}"
    )
    if counts.quarantined:
        click.echo(report.quarantine_summary())
    if report.failed:
        sys.exit(1)


@click.command("stats")
@with_appcontext
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def stats_command(as_json):
    """Show how many releases and procurements are stored."""
    with session_scope() as session:
        result = stats(session)
    if as_json:
        click.echo(json.dumps(result, sort_keys=False))
        return
    for key in ("releases", "procurements", "quarantined"):
        click.echo(f"{key}: {result[key]}")
    for key in ("by_notice_type", "by_stage", "by_source"):
        click.echo(f"{key}: " + ", ".join(f"{k} {v}" for k, v in result[key].items()))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


@click.command("sources")
@with_appcontext
def sources_command():
    """Show each source's last runs and health."""
    with session_scope() as session:
        health = source_health(session, list(COLLECTABLE))
    click.echo(f"{'source':6} {'watermark':16} {'last success':16} last error")
    for row in health:
        error = f"{_when(row['last_error_at'])}: {row['last_error'][:80]}" if row["last_error"] else "-"
        click.echo(f"{row['source']:6} {_when(row['watermark']):16} {_when(row['last_success']):16} {error}")
        for run in row["runs"]:
            click.echo(
                f"    {_when(run.started_at)} {run.status:8} {run.pages:4} pages {run.releases_new:6} new "
                f"{run.quarantined:4} quarantined"
            )


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (collect_command, import_command, stats_command, sources_command):
        app.cli.add_command(command)
    from portal.accounts import cli as accounts_cli  # flask buyers

    accounts_cli.init_app(app)
    from portal.alerts import cli as alerts_cli  # flask alerts

    alerts_cli.init_app(app)
