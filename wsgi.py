"""The entry point of every process: gunicorn's `web` and the `clock`."""

from portal import create_app

app = create_app()
