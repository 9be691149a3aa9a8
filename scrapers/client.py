"""One polite HTTP client per register: spacing, timeouts, Retry-After, bounded backoff, tolerant JSON."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from importlib import metadata
from urllib.parse import urlencode

import requests

from scrapers.base import FeedError
from scrapers.json_text import decode_body, loads_tolerant

log = logging.getLogger(__name__)

try:
    VERSION = metadata.version("piblinell")
except metadata.PackageNotFoundError:  # running from a checkout that was not pip-installed
    VERSION = "0.1.0"
USER_AGENT = f"Piblinell/{VERSION} (+https://github.com/piblinell/piblinell; open-source procurement portal)"


class TransportError(FeedError):
    """The register could not be reached (connection error or timeout) after the allowed retries."""


class HttpStatusError(FeedError):
    """The register kept answering with an HTTP error status after the allowed retries."""

    def __init__(self, message: str, status: int, url: str, excerpt: str) -> None:
        super().__init__(message)
        self.status = status
        self.url = url
        self.excerpt = excerpt


def excerpt(content: bytes, limit: int = 200) -> str:
    """Return a short one-line excerpt of a body for error messages."""
    text = " ".join(decode_body(content).split())
    return text if len(text) <= limit else text[:limit] + "…"


def parse_json(content: bytes, url: str) -> dict:
    """Parse a register's JSON body tolerantly, raising FeedError with the URL when it is unusable."""
    try:
        data = loads_tolerant(content)
    except json.JSONDecodeError as exc:
        raise FeedError(f"unparseable JSON from {url} ({exc.msg} at char {exc.pos}): {excerpt(content)!r}") from exc
    if not isinstance(data, dict):
        raise FeedError(f"expected a JSON object from {url}, got {type(data).__name__}: {excerpt(content)!r}")
    return data


def build_url(url: str, params: Mapping[str, str] | None = None) -> str:
    """Append query parameters to a URL, keeping ':' and ',' literal as the registers' own links do."""
    if not params:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params, safe=':,')}"


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Read Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3); None when absent or unreadable."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        until = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    # Measure against the server's own Date header when it sent one, so our clock skew does not matter.
    try:
        now = parsedate_to_datetime(headers["Date"]).timestamp()
    except (KeyError, TypeError, ValueError):
        now = time.time()
    return max(0.0, until.timestamp() - now)


class PoliteClient:
    """A requests.Session that spaces requests, honours Retry-After and retries within bounds."""

    def __init__(
        self,
        user_agent: str = USER_AGENT,
        *,
        min_interval: float = 0.0,
        timeout: tuple[float, float] = (10.0, 120.0),
        max_retries: int = 4,
        backoff_base: float = 5.0,
        backoff_max: float = 300.0,
        max_wait: float = 900.0,
        forbidden_wait: float = 300.0,
        verify: bool | str = True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        # Sell2Wales and PCS serve an incomplete TLS chain, so allow a CA bundle path
        # (docs/registers.md, "Sell2Wales API: TLS").
        self.session.verify = verify
        self.min_interval = min_interval
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_wait = max_wait
        self.forbidden_wait = forbidden_wait
        self.sleep = sleep
        self.clock = clock
        self._last_request: float | None = None

    def get_json(self, url: str, params: Mapping[str, str] | None = None, *, retry_forbidden: bool = False) -> dict:
        """GET a URL and return its JSON object, cleaned of the registers' invalid numbers."""
        response = self._get(url, params, retry_forbidden=retry_forbidden)
        return parse_json(response.content, response.url)

    def get_bytes(
        self, url: str, params: Mapping[str, str] | None = None, *, retry_forbidden: bool = False
    ) -> tuple[bytes, Mapping[str, str]]:
        """GET a URL and return its raw body and response headers (for RSS)."""
        response = self._get(url, params, retry_forbidden=retry_forbidden)
        return response.content, response.headers

    def backoff(self, attempt: int) -> float:
        """Return the wait before retry number `attempt` (0-based): exponential, capped at backoff_max."""
        return min(self.backoff_max, self.backoff_base * 2**attempt)

    def _get(self, url: str, params: Mapping[str, str] | None, *, retry_forbidden: bool) -> requests.Response:
        url = build_url(url, params)
        for attempt in range(self.max_retries + 1):
            self._wait_turn()
            try:
                response = self.session.get(url, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem, wait = type(exc).__name__, self.backoff(attempt)
                error: FeedError = TransportError(f"{problem} fetching {url} after {attempt + 1} attempt(s): {exc}")
            else:
                if response.status_code < 400:
                    return response
                wait = self._wait_for(response, attempt, retry_forbidden)
                problem, text = f"HTTP {response.status_code}", excerpt(response.content)
                message = f"{problem} from {url} after {attempt + 1} attempt(s): {text!r}"
                error = HttpStatusError(message, response.status_code, url, text)
                if wait is None:
                    raise error
            if attempt == self.max_retries:
                raise error
            if wait > self.max_wait:
                raise FeedError(
                    f"{problem} from {url}: asked to wait {wait:.0f} s, more than max_wait {self.max_wait:.0f} s"
                )
            log.warning(
                "%s from %s; waiting %.0f s before retry %d/%d", problem, url, wait, attempt + 1, self.max_retries
            )
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait_for(self, response: requests.Response, attempt: int, retry_forbidden: bool) -> float | None:
        """Return how long to wait before retrying this error response, or None if it must not be retried."""
        status = response.status_code
        if status in (429, 503):
            # FTS: 429 "Rate limit of 12 exceeded. Please retry after 120 seconds.", Retry-After: 120,
            # text/plain body (docs/registers.md, "Find a Tender: limits"); never parse an error body as JSON.
            seconds = retry_after_seconds(response.headers)
            return self.backoff(attempt) if seconds is None else seconds
        if status == 403 and retry_forbidden:
            # Contracts Finder: 403 = too many requests, "no further requests ... until after 5 minutes" (CF-doc).
            return self.forbidden_wait
        if status >= 500:
            return self.backoff(attempt)
        return None

    def _wait_turn(self) -> None:
        """Sleep until min_interval has passed since the previous request of this client."""
        if self._last_request is not None:
            remaining = self._last_request + self.min_interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last_request = self.clock()
