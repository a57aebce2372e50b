"""The `$filter` tokenizer: lazy, position-reporting, and strict about literals Graph would refuse."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from tenantry.graph.odata.model import ODataError, Value

_MAX_INT = 2**63 - 1
_PUNCTUATION = {"(": "lparen", ")": "rparen", ",": "comma", "/": "slash"}
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:+")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"-?[0-9]+")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_KEYWORD_LITERALS: dict[str, Value] = {"true": True, "false": False, "null": None}
UNSUPPORTED_OPS = frozenset({"gt", "ge", "lt", "le", "has", "add", "sub", "mul", "div", "mod"})


@dataclass(frozen=True)
class Token:
    kind: str  # lparen rparen comma slash word literal end
    text: str
    pos: int
    value: Value = None


def filter_error(message: str, pos: int) -> ODataError:
    return ODataError(f"Invalid filter clause: {message} at position {pos}.")


def tokenize(text: str) -> Iterator[Token]:
    """Yield `$filter` tokens lazily, so the parser reports the first problem (say `any(`) rather than a later one.

    Positions are 0-based character offsets, as in ODataLib's messages.
    """
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char in _PUNCTUATION:
            yield Token(_PUNCTUATION[char], char, pos)
            pos += 1
        elif char == "'":
            token, pos = _read_string(text, pos)
            yield token
        elif char in _WORD_CHARS:
            end = pos
            while end < len(text) and text[end] in _WORD_CHARS:
                end += 1
            yield _classify_word(text[pos:end], pos)
            pos = end
        else:
            raise filter_error(f"unexpected character {char!r}", pos)
    yield Token("end", "", len(text))


def _read_string(text: str, start: int) -> tuple[Token, int]:
    """A single-quoted OData string, where `''` stands for one quote (OData ABNF `SQUOTE-in-string`)."""
    parts: list[str] = []
    pos = start + 1
    while pos < len(text):
        end = text.find("'", pos)
        if end < 0:
            break
        parts.append(text[pos:end])
        if text.startswith("''", end):
            parts.append("'")
            pos = end + 2
            continue
        value = "".join(parts)
        return Token("literal", text[start : end + 1], start, value), end + 1
    raise filter_error("unterminated string literal", start)


def _classify_word(word: str, pos: int) -> Token:
    """Name, integer or DateTimeOffset; Graph quotes GUIDs, so a bare GUID is refused rather than misread."""
    if _INT.fullmatch(word):
        number = int(word)
        if abs(number) > _MAX_INT:
            raise filter_error(f"integer {word} out of range", pos)
        return Token("literal", word, pos, number)
    if _DATETIME.fullmatch(word):
        try:
            return Token("literal", word, pos, datetime.fromisoformat(word))
        except ValueError:
            raise filter_error(f"invalid date/time {word!r}", pos) from None
    if _GUID.fullmatch(word):
        raise filter_error(f"GUID {word} must be quoted as '{word}'", pos)
    if _IDENT.fullmatch(word):
        lowered = word.lower()
        if lowered in _KEYWORD_LITERALS:
            return Token("literal", word, pos, _KEYWORD_LITERALS[lowered])
        return Token("word", word, pos)
    raise filter_error(f"unexpected {word!r}", pos)
