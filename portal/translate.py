"""`flask translate extract|update|compile|check`: the Welsh catalogue's chores, wrapping pybabel."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import Flask
from flask.cli import AppGroup

from portal.config import ROOT

TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
BABEL_CFG = ROOT / "babel.cfg"
# lazy_gettext is how import-time strings are marked; pybabel does not know it by default.
KEYWORDS = ["-k", "lazy_gettext", "-k", "lazy_ngettext:1,2"]


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(output: Path = TEMPLATE) -> None:
    """Extract every marked message from the code and templates into a .pot file."""
    _pybabel(
        "extract",
        "-F",
        str(BABEL_CFG),
        *KEYWORDS,
        "--no-location",
        "--sort-output",
        "-o",
        str(output),
        str(ROOT / "portal"),
    )


def update() -> None:
    """Merge the extracted messages into each catalogue, without guessing (fuzzy) translations."""
    # The Welsh header's six-form Plural-Forms survives: pybabel update keeps the catalogue's header.
    _pybabel("update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete")


def compile_catalogues() -> None:
    """Compile each catalogue to the .mo file Flask-Babel reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


def catalogue_path(lang: str = "cy") -> Path:
    """Return a language's .po file."""
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def untranslated(lang: str = "cy") -> list[str]:
    """Return the ids of messages whose translation is empty (in any plural form) or marked fuzzy."""
    with catalogue_path(lang).open("rb") as handle:
        catalogue = read_po(handle)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings) or len(strings) != (catalogue.num_plurals if message.pluralizable else 1):
            problems.append(message.id if isinstance(message.id, str) else message.id[0])
    return problems


def missing(lang: str = "cy") -> list[str]:
    """Return the ids extraction finds in the code that the catalogue does not have."""
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        extract(pot)
        with pot.open("rb") as handle:
            wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with catalogue_path(lang).open("rb") as handle:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    return sorted(wanted - have)


translate_cli = AppGroup("translate", help="Extract, update, compile and check the Welsh catalogue.")


@translate_cli.command("extract")
def extract_command():
    """Extract the messages into translations/messages.pot."""
    extract()
    click.echo(f"extracted to {TEMPLATE}")


@translate_cli.command("update")
def update_command():
    """Extract, then merge new messages into translations/cy/LC_MESSAGES/messages.po."""
    extract()
    update()
    click.echo("catalogues updated; translate the empty entries, then run `flask translate compile`")


@translate_cli.command("compile")
def compile_command():
    """Compile the catalogues for Flask-Babel."""
    compile_catalogues()


@translate_cli.command("check")
def check_command():
    """Fail with a list when a Welsh entry is empty or fuzzy, or a message in the code is not in the catalogue."""
    problems = [f"untranslated or fuzzy: {text!r}" for text in untranslated()]
    problems += [f"not in the catalogue: {text!r}" for text in missing()]
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the Welsh catalogue")
    click.echo("the Welsh catalogue is complete")


def init_app(app: Flask) -> None:
    """Register `flask translate`."""
    app.cli.add_command(translate_cli)
