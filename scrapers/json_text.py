"""Reading the registers' JSON so that one bad value never stops a page, a file or a window.

Real bodies carry numbers JSON or a database cannot hold (`1e9999`, `-1E9999`, `1e400`, `NaN`, `Infinity`),
numbers JSON forbids (` 000,`), lone UTF-16 surrogates (`"\\ud800"`) that no UTF-8 database column accepts,
and NULs (`\\u0000`) that PostgreSQL's text refuses. Each is repaired as the body is read (docs/registers.md,
"Find a Tender: invalid numbers"): a number that is not finite becomes null, a lone surrogate becomes U+FFFD,
a NUL is removed; the count of repaired strings is reported to the caller, which says so.
"""

from __future__ import annotations

import json
import math
import re

# ` 000,` is not JSON at all (leading zeros). It is repaired only when the strict parse fails, so a valid
# body's strings are never rewritten.
_ZEROS = re.compile(rb"([:\[,] )000(?=,)")
# What makes a string need cleaning, as it appears in the JSON text: a NUL or a surrogate escape, or a raw NUL.
_SUSPECT = re.compile(rb"\\u0000|\\u[dD][89a-fA-F]|\x00")
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")  # after parsing: NULs, and surrogates left unpaired


def decode_body(content: bytes) -> str:
    """Decode a body as UTF-8, falling back to latin-1 (Contracts Finder is not always UTF-8)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # kingfisher-collect reads Contracts Finder bodies as ISO-8859-1; latin-1 never fails.
        return content.decode("latin-1")


def _not_finite(_name: str) -> None:
    return None  # NaN, Infinity, -Infinity


def _float(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None  # 1e9999, -1E9999, 1e400: beyond a double


def _clean_text(text: str, counter: list[int]) -> str:
    if not _NOT_TEXT.search(text):
        return text
    counter[0] += 1
    return _NOT_TEXT.sub(lambda match: "" if match.group() == "\x00" else "\ufffd", text)


def _clean(value, counter: list[int]):
    if isinstance(value, str):
        return _clean_text(value, counter)
    if isinstance(value, list):
        return [_clean(item, counter) for item in value]
    if isinstance(value, dict):
        return {_clean_text(key, counter): _clean(item, counter) for key, item in value.items()}
    return value


def loads_tolerant(content: bytes, repaired: list[int] | None = None):
    """Parse JSON bytes, repairing what real registers emit (see the module's docstring). `repaired`, a
    one-item list, is increased by the number of strings cleaned of NULs or lone surrogates."""
    counter = repaired if repaired is not None else [0]
    options = {"parse_constant": _not_finite, "parse_float": _float}
    try:
        data = json.loads(decode_body(content), **options)
    except json.JSONDecodeError:
        # Only when the strict parse fails, so strings in valid bodies are never rewritten; a raw control
        # character inside a string (a NUL) is read too, then cleaned below.
        data = json.loads(decode_body(_ZEROS.sub(rb"\g<1>0", content)), strict=False, **options)
    if _SUSPECT.search(content):
        data = _clean(data, counter)
    return data


def strict_and_clean(value) -> tuple[object, str]:
    """Return a value that did not come through loads_tolerant (a caller's own dicts) as loads_tolerant would
    have read it, with its strict JSON text: numbers JSON cannot hold become null, NULs and lone surrogates are
    cleaned. Costs one serialisation, which the caller needed anyway."""
    try:
        text = dumps_strict(value)
    except ValueError:  # NaN or Infinity
        value = loads_tolerant(json.dumps(value).encode())
        text = dumps_strict(value)
    if "\\u0000" in text or _NOT_TEXT.search(text):
        value = _clean(value, [0])
        text = dumps_strict(value)
    return value, text


def dumps_strict(value) -> str:
    """Serialise as strict JSON (no NaN or Infinity, which are not JSON), compact, keeping non-ASCII text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
