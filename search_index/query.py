"""The search box language, parsed into a small syntax tree. Pure: no index, no I/O.

Words are ANDed; `OR`; `"exact phrase"`; `-exclude` (also `NOT`); `prefix*`; parentheses.
Input is never an error: whatever cannot be read is dropped or read as plain words, and a
`Message` (a stable code for the portal to translate, with English text) says what was done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search_index.analysis import WORD_RE

MAX_CHARS = 500
MAX_TERMS = 32
MAX_DEPTH = 6
MIN_PREFIX = 3


@dataclass(frozen=True)
class Message:
    code: str
    text: str  # in English, with any numbers in it: what a page shows for a code it does not know
    data: dict = field(default_factory=dict, compare=False)  # the numbers and words of the text, for translations


MESSAGES = {
    "truncated": f"Your search was longer than {MAX_CHARS} characters; only the start was used.",
    "too_many_terms": f"Your search had more than {MAX_TERMS} words; only the first {MAX_TERMS} were used.",
    "unbalanced_quote": "A quotation mark was not closed; the words after it were searched as separate words.",
    "unbalanced_parenthesis": "Brackets did not match; the unmatched brackets were ignored.",
    "stray_operator": "OR, NOT or - had nothing to apply to and was ignored.",
    "nested_too_deep": f"Brackets nested more than {MAX_DEPTH} deep were ignored.",
    "prefix_too_short": f"A word ending in * needs {MIN_PREFIX} letters before the *; it was searched as a word.",
    "syntax_fallback": "Your search could not be read as written; its words were searched instead.",
}


def message(code: str) -> Message:
    """Return the message of a code."""
    return Message(code, MESSAGES[code])


@dataclass(frozen=True)
class Word:
    text: str  # as typed, without * or -; may hold several parts ("e-commerce")
    prefix: bool = False

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(WORD_RE.findall(self.text))


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Word | Phrase | Not | And | Or


@dataclass(frozen=True)
class ParsedQuery:
    node: Node | None  # None: no words, every document matches
    messages: tuple[Message, ...] = ()


# Lexemes: ("(",), (")",), ("OR",), ("NOT",), ("PHRASE", text), ("WORD", text)
_LEXEME_RE = re.compile(r'\s+|\(|\)|"[^"]*"|"|[^\s()"]+')
# Control and format characters are dropped before anything else (hostile or pasted input).
_JUNK_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass
class _State:
    lexemes: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)
    at: int = 0
    terms: int = 0

    def note(self, code: str) -> None:
        if code not in self.notes:
            self.notes.append(code)

    def peek(self) -> str | None:
        return self.lexemes[self.at][0] if self.at < len(self.lexemes) else None


def _lex(text: str, notes: list[str]) -> list[tuple[str, str]]:
    lexemes: list[tuple[str, str]] = []
    for raw in _LEXEME_RE.findall(text):
        if raw.isspace():
            continue
        if raw == '"':
            notes.append("unbalanced_quote")
        elif raw.startswith('"'):
            lexemes.append(("PHRASE", raw[1:-1]))
        elif raw in ("(", ")", "OR", "NOT"):
            lexemes.append((raw, raw))
        elif raw == "AND":
            continue  # AND is the default
        elif raw.startswith("-") and len(raw) > 1:
            lexemes.append(("NOT", "-"))
            lexemes.append(("WORD", raw.lstrip("-")))
        elif raw == "-":
            notes.append("stray_operator")  # a dash standing alone excludes nothing
        else:
            lexemes.append(("WORD", raw))
    return lexemes


def _word(state: _State, raw: str) -> Node | None:
    prefix = raw.endswith("*")
    text = raw.strip("*")
    if not WORD_RE.search(text):
        return None  # punctuation only
    state.terms += 1
    if state.terms > MAX_TERMS:
        state.note("too_many_terms")
        return None
    if prefix and (len(WORD_RE.findall(text)) > 1 or len(text) < MIN_PREFIX):
        state.note("prefix_too_short")
        prefix = False
    return Word(text, prefix)


def _phrase(state: _State, raw: str) -> Node | None:
    words = tuple(WORD_RE.findall(raw))
    if not words:
        return None
    state.terms += len(words)
    if state.terms > MAX_TERMS:
        state.note("too_many_terms")
        return None
    return Phrase(words) if len(words) > 1 else Word(words[0])


def _atom(state: _State, depth: int) -> Node | None:
    kind, text = state.lexemes[state.at]
    state.at += 1
    if kind == "WORD":
        return _word(state, text)
    if kind == "PHRASE":
        return _phrase(state, text)
    if kind == "(":
        if depth >= MAX_DEPTH:
            state.note("nested_too_deep")
        inner = _or(state, depth + 1)
        if state.peek() == ")":
            state.at += 1
        else:
            state.note("unbalanced_parenthesis")
        return inner
    if kind == "NOT":
        if state.peek() in (None, ")", "OR", "NOT"):
            state.note("stray_operator")
            return None
        child = _atom(state, depth)
        return Not(child) if child is not None and not isinstance(child, Not) else child
    return None  # unreachable: ")" and "OR" are handled by the callers


def _and(state: _State, depth: int) -> Node | None:
    children: list[Node] = []
    while (kind := state.peek()) is not None and kind not in ("OR", ")"):
        node = _atom(state, depth)
        if node is not None:
            children.extend(node.children if isinstance(node, And) else (node,))
    if not children:
        return None
    return children[0] if len(children) == 1 else And(tuple(children))


def _or(state: _State, depth: int) -> Node | None:
    children: list[Node] = []
    expect_operand = True
    while (kind := state.peek()) is not None and kind != ")":
        if kind == "OR":
            state.at += 1
            if expect_operand:
                state.note("stray_operator")
            expect_operand = True
            continue
        node = _and(state, depth)
        expect_operand = False
        if node is not None:
            children.extend(node.children if isinstance(node, Or) else (node,))
    if expect_operand and children:
        state.note("stray_operator")  # a trailing OR
    if not children:
        return None
    return children[0] if len(children) == 1 else Or(tuple(children))


def _parse_all(state: _State) -> Node | None:
    parts: list[Node] = []
    while state.peek() is not None:
        if state.peek() == ")":
            state.at += 1
            state.note("unbalanced_parenthesis")
            continue
        node = _or(state, 0)
        if node is not None:
            parts.append(node)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _plain_words(text: str) -> Node | None:
    words = tuple(Word(w) for w in WORD_RE.findall(text)[:MAX_TERMS])
    if not words:
        return None
    return words[0] if len(words) == 1 else And(words)


def parse(text: str | None) -> ParsedQuery:
    """Parse search-box text into a syntax tree, never raising; say what was changed."""
    notes: list[str] = []
    text = _JUNK_RE.sub(" ", text or "")
    if len(text) > MAX_CHARS:
        notes.append("truncated")
        text = text[:MAX_CHARS]
    try:
        state = _State(_lex(text, notes), notes)
        node = _parse_all(state)
        if node is not None and _depth(node) > MAX_DEPTH + 1:
            notes.append("nested_too_deep")
            node = _plain_words(text)
    except Exception:  # a bug here must never become a 500: fall back to the words
        notes = [n for n in notes if n == "truncated"] + ["syntax_fallback"]
        node = _plain_words(text)
    return ParsedQuery(node, tuple(message(code) for code in dict.fromkeys(notes)))


def to_text(node: Node) -> str:
    """Return search-box text that parses back to a node ("digi*", '"a phrase"', "(a OR b)", "-word")."""
    if isinstance(node, Word):
        return node.text + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, Not):
        return ("-" if isinstance(node.child, Word) else "NOT ") + to_text(node.child)
    if isinstance(node, Or):
        return "(" + " OR ".join(to_text(child) for child in node.children) + ")"
    return "(" + " ".join(to_text(child) for child in node.children) + ")"


def _depth(node: Node) -> int:
    if isinstance(node, (And, Or)):
        return 1 + max(_depth(child) for child in node.children)
    if isinstance(node, Not):
        return 1 + _depth(node.child)
    return 1
