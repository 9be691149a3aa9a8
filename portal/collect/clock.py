"""The one scheduler process (`flask clock`): collect, then what later stages add."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from filelock import FileLock, Timeout
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from portal.collect import jobs
from portal.db import get_engine

log = logging.getLogger(__name__)
ADVISORY_LOCK_ID = 0x7069626C  # "pibl"


class AlreadyRunning(Exception):
    """Another clock holds the lock."""


@contextmanager
def clock_lock():
    """Hold the one-clock lock for the process lifetime: a PostgreSQL advisory lock, or a file lock on SQLite."""
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            if not connection.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": ADVISORY_LOCK_ID}).scalar():
                raise AlreadyRunning("another clock holds the PostgreSQL advisory lock")
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": ADVISORY_LOCK_ID})
        return
    path = Path(current_app.config["LOCK_DIR"]) / "clock.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise AlreadyRunning(f"another clock holds {path}") from None
    try:
        yield
    finally:
        lock.release()


def _in_app(app: Flask, target: str):
    module, name = target.split(":")

    def job():
        with app.app_context():
            try:
                getattr(__import__(module, fromlist=[name]), name)()
            except Exception:  # a failed job is logged and retried on schedule
                log.exception("job %s failed", target)

    job.__name__ = name
    return job


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Build the scheduler from the schedule in the configuration; jobs marked start_now run at once."""
    scheduler = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    for job_id, (target, trigger) in app.config["CLOCK_SCHEDULE"].items():
        trigger = dict(trigger)
        kind = trigger.pop("trigger")
        first = {"next_run_time": datetime.now(UTC)} if trigger.pop("start_now", False) else {}
        scheduler.add_job(_in_app(app, target), kind, id=job_id, name=job_id, replace_existing=True, **trigger, **first)
    return scheduler


@click.command("clock")
@with_appcontext
def clock_command():
    """Run the scheduler: collect from the registers on schedule (one clock at a time)."""
    app = current_app._get_current_object()
    try:
        with clock_lock():
            log.info("clock started (pid %s); schedule: %s", os.getpid(), list(app.config["CLOCK_SCHEDULE"]))
            if interrupted := jobs.mark_interrupted_runs():
                log.warning("%d collector run(s) left running by a stopped clock marked interrupted", interrupted)
            build_scheduler(app).start()
    except AlreadyRunning as error:
        click.echo(f"clock not started: {error}", err=True)
        raise SystemExit(0) from None


def init_app(app: Flask) -> None:
    """Register `flask clock`."""
    app.cli.add_command(clock_command)
