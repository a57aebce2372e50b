"""Entra password protection (entra-reference §5.4): normalise, fuzzy-match banned terms, score.

1. Normalise: lower-case, then `0→o`, `1→l`, `$→s`, `@→a`.
2. Find every banned term in the normalised password, exactly or within edit distance 1 (one substitution,
   deletion or insertion). A window shorter than `MIN_TERM` characters never counts (a four-letter term with
   one letter deleted is a three-letter fragment of ordinary words), and an insertion counts only inside
   the term: `blankf` is `blank` plus a remaining `f`, not a one-point variant of `blank`.
3. Score: each banned term found is 1 point, every remaining character 1 point; the covering with the
   fewest points is taken (the strictest reading), and a password needs `MIN_SCORE` points.

Candidate windows are found through a symmetric-deletion index (each term and its one-letter deletions), so
a 256-character password against the global list costs a few thousand dictionary lookups, then each
candidate is verified exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

MIN_TERM = 4
MIN_SCORE = 5
_SUBSTITUTIONS = str.maketrans({"0": "o", "1": "l", "$": "s", "@": "a"})


def normalise(text: str) -> str:
    """Entra's normalisation: lower case, then the common character substitutions."""
    return text.lower().translate(_SUBSTITUTIONS)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _within_one(window: str, term: str) -> bool:
    """Edit distance ≤ 1 (Levenshtein), in linear time."""
    if window == term:
        return True
    if len(window) == len(term):
        return sum(a != b for a, b in zip(window, term, strict=True)) == 1
    shorter, longer = (window, term) if len(window) < len(term) else (term, window)
    if len(longer) - len(shorter) != 1:
        return False
    i = 0
    while i < len(shorter) and shorter[i] == longer[i]:
        i += 1
    return shorter[i:] == longer[i + 1 :]


@dataclass(frozen=True)
class TermIndex:
    """Banned terms (normalised, at least `MIN_TERM` characters) keyed by themselves and their deletions."""

    keys: dict[str, frozenset[str]]
    longest: int

    @classmethod
    def of(cls, terms: Iterable[str]) -> TermIndex:
        """Index these terms; shorter ones and duplicates are dropped."""
        keyed: dict[str, set[str]] = {}
        longest = 0
        for raw in terms:
            term = normalise(raw.strip())
            if len(term) < MIN_TERM:
                continue
            longest = max(longest, len(term))
            for key in {term} | _deletions(term):
                keyed.setdefault(key, set()).add(term)
        return cls({k: frozenset(v) for k, v in keyed.items()}, longest)

    def candidates(self, window: str) -> set[str]:
        """Terms that may be within edit distance 1 of `window` (to be verified)."""
        found: set[str] = set()
        for key in {window} | _deletions(window):
            found |= self.keys.get(key, frozenset())
        return found


def _counts(window: str, term: str) -> bool:
    """Whether `window` is an occurrence of `term` under the rules of the module docstring."""
    if len(window) < MIN_TERM or not _within_one(window, term):
        return False
    if len(window) == len(term) + 1:
        return window[0] == term[0] and window[-1] == term[-1]
    return True


def find_matches(normalised: str, indexes: Iterable[TermIndex]) -> list[tuple[int, int]]:
    """The (start, end) spans of the normalised password that are banned terms or their variants."""
    spans: list[tuple[int, int]] = []
    for index in indexes:
        for length in range(MIN_TERM, index.longest + 2):
            for start in range(len(normalised) - length + 1):
                window = normalised[start : start + length]
                if any(_counts(window, term) for term in index.candidates(window)):
                    spans.append((start, start + length))
    return spans


def score(normalised: str, spans: Iterable[tuple[int, int]]) -> int:
    """The fewest points over the ways to read the password as terms and remaining characters."""
    ending: dict[int, list[int]] = {}
    for start, end in spans:
        ending.setdefault(end, []).append(start)
    best = [0] * (len(normalised) + 1)
    for i in range(1, len(normalised) + 1):
        best[i] = min([best[i - 1] + 1, *(best[s] + 1 for s in ending.get(i, ()))])
    return best[-1]


def contains_term(normalised: str, terms: Iterable[str]) -> bool:
    """Whether any term of at least `MIN_TERM` characters is a substring (both sides normalised)."""
    return any(len(t) >= MIN_TERM and t in normalised for t in (normalise(term) for term in terms))


@cache
def global_index() -> TermIndex:
    """Our global list of common weak terms (`banned_terms.txt`; `#` starts a comment), indexed once."""
    text = resources.files("tenantry.passwords").joinpath("banned_terms.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return TermIndex.of(line for line in lines if line)
