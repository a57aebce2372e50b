"""Control characters in text from outside: one rule for Graph requests and CLI arguments.

Refused: the C0 controls U+0000–U+001F and DEL U+007F, with one exception: TAB, LF and CR are allowed in
*values* (a JSON string value, a query parameter's value, a CLI argument), where free text may span lines
(a description, a PEM certificate pasted as `key`, a filter on such text), and never in *names* (JSON property
names, query parameter names, URL paths).

Why: PostgreSQL text cannot hold NUL at all (SQLite stores it), so a NUL was a 500 on one backend and data on
the other; the other controls mean nothing in any Graph property and are the stuff of log and terminal
injection, and Graph never needs them. DEL is refused for the same reason. C1 controls (U+0080–U+009F) and the
rest of Unicode are left alone: they are valid text, and PostgreSQL stores them.
"""

from __future__ import annotations

import re

_IN_NAMES = re.compile("[\x00-\x1f\x7f]")
_IN_VALUES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str, *, value: bool) -> str | None:
    """The first refused character of `text` (a value when `value`, else a name), or None."""
    match = (_IN_VALUES if value else _IN_NAMES).search(text)
    return match.group() if match else None


def code_point(character: str) -> str:
    """`U+0000`: how a refusal names the character (the character itself would not print)."""
    return f"U+{ord(character):04X}"
