"""Every response carries the protective headers, and no page needs an inline script or style."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from portal.security import POLICY

SAMPLE_VALUES = {
    "lang_code": "en",
    "ocid": "ocds-h6vhtk-000000",
    "buyer_id": "1",
    "filename": "piblinell.css",
    "token": "not-a-token",
    "entry_id": "1",
    "organisation_id": "1",
    "kind": "subscription",
    "row_id": "1",
}


def _urls(app) -> list[str]:
    """One URL for every GET route in the URL map, its variables filled with sample values."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        assert set(rule.arguments) <= set(SAMPLE_VALUES), f"no sample value for {rule.rule}: add one"
        urls.append(_build(rule))
    return sorted(set(urls))


def _build(rule: Rule) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:>]+:)?{name}>", SAMPLE_VALUES[name], path)
    return path


def test_every_route_answers_with_the_protective_headers(app, client):
    urls = _urls(app)
    assert len(urls) > 20
    for url in urls + ["/no/such/page", "/en/notice/ocds-h6vhtk-000000"]:
        response = client.get(url)
        headers = response.headers
        policy = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, url
        assert "'unsafe-inline'" not in policy and "style-src 'self';" in policy, url
        assert headers.get("X-Content-Type-Options") == "nosniff", url
        assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", url
        assert headers.get("X-Frame-Options") == "DENY", url
        assert "Strict-Transport-Security" not in headers, url  # plain HTTP here: HSTS only over HTTPS


def test_hsts_over_https_and_vary_on_the_language_redirect(client):
    assert "max-age=" in client.get("/en/about", base_url="https://localhost").headers["Strict-Transport-Security"]
    response = client.get("/", headers={"Accept-Language": "cy"})
    assert response.status_code == 302 and "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("url", ["/en/", "/cy/search?q=glanhau", "/en/pipeline", "/en/about"])
def test_pages_have_no_inline_script_or_style_but_the_nonced_one(client, url):
    response = client.get(url)
    html = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [f' nonce="{nonce}"'], inline  # GOV.UK Frontend's body-class script, and nothing else
    assert not re.search(r"<style|\sstyle=", html)
    assert client.get(url).headers["Content-Security-Policy"] != response.headers["Content-Security-Policy"]


def test_the_policy_allows_only_our_own_origin():
    assert POLICY.startswith("default-src 'self';") and "http" not in POLICY


def test_http_errors_are_our_pages_in_html_and_json_under_the_api(client):
    page = client.post("/cy/about")
    html = page.get_data(as_text=True)
    assert page.status_code == 405 and page.headers["Allow"] and 'lang="cy"' in html
    assert "Ni ellir gwneud hynny yma" in html and page.mimetype == "text/html"
    api = client.post("/api/v1/notices")
    assert api.status_code == 405 and api.get_json()["error"]["status"] == 405
    assert client.get("/api/v1/nothing-here").get_json()["error"]["status"] == 404
