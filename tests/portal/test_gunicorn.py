"""The web process as deployed (gunicorn with gunicorn.conf.py): long Welsh searches pass, over-long addresses
get the portal's own bilingual 414 page, other HTTP errors its pages too."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("gunicorn")
    env = {
        **os.environ,
        "INSTANCE_DIR": str(instance),
        "PORT": str(_free_port()),
        "FLASK_APP": "wsgi",
        "PIBLINELL_ENV": "production",  # as deployed: a real secret and public address are required
        "SECRET_KEY": "k" * 40,
        "PUBLIC_BASE_URL": "https://piblinell.example.org",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, timeout=120)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    port = int(env["PORT"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def test_a_2000_character_welsh_search_is_answered(server):
    words = quote(("tŷ’r dŵr’ " * 200)[:2000])  # ŵ and ŷ take 6 characters percent-encoded, ’ 9
    assert len(words) > 4094  # longer than gunicorn's default request line: the configuration allows it
    status, body = get(server, f"/cy/search?q={words}")
    assert status == 200 and 'lang="cy"' in body


def test_absolute_urls_come_from_public_base_url_never_the_host_header(server):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    connection.request(
        "GET", "/api/v1/notices?q=x", headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    )
    body = connection.getresponse().read().decode()
    assert "evil.example" not in body and "https://piblinell.example.org/api/v1/notices?q=x" in body


def test_an_over_long_address_gets_our_bilingual_414_page(server):
    status, body = get(server, "/cy/search?q=" + "a" * 40_000)
    assert status == 414 and "Mae'r cyfeiriad gwe yn rhy hir" in body and 'lang="cy"' in body
    status, body = get(server, "/en/search?q=" + "a" * 40_000)
    assert status == 414 and "The web address is too long" in body
    status, body = get(server, "/api/v1/notices?q=" + "a" * 40_000)
    assert status == 414 and '"status":414' in body.replace(" ", "")  # JSON under /api/v1
