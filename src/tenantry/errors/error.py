"""The one exception type of the STS: an AADSTS code plus what may and may not reach the client.

`params` fill the catalogue description's `{placeholders}`; `hint` is extra text the client may see;
`debug` is for operators only and never leaves the server (style P3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from tenantry.errors.catalog import ErrorSpec, get_spec

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_MAX_PARAM_LENGTH = 200


def _clip(value: str) -> str:
    """Keep echoed request values short and printable, so an error never reflects a huge input."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in value)
    return cleaned if len(cleaned) <= _MAX_PARAM_LENGTH else cleaned[:_MAX_PARAM_LENGTH] + "…"


def fill(template: str, params: Mapping[str, str]) -> str:
    """Substitute `{name}` placeholders once; values are never re-parsed, unknown names stay visible."""
    return _PLACEHOLDER.sub(lambda m: _clip(params[m.group(1)]) if m.group(1) in params else m.group(0), template)


class _AngleQuoted(dict[str, str]):
    """A mapping that answers every placeholder with its own name in angle quotes."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __getitem__(self, key: str) -> str:
        return f"‹{key}›"


def readable_description(spec: ErrorSpec) -> str:
    """The description with placeholders shown as ‹name›: for people reading about a code, and for logs,
    where filled-in request values have no place."""
    return fill(spec.description, _AngleQuoted())


@dataclass(eq=False)
class AadstsError(Exception):
    """An AADSTS error on its way to the client; build with `AadstsError.of(Aadsts.Name, **params)`.

    Not a frozen dataclass: Python sets `__traceback__` on raised exceptions. Treat it as immutable
    anyway and derive variants with `with_hint`.
    """

    spec: ErrorSpec
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    hint: str | None = None
    debug: str | None = None
    suberror: str | None = None
    claims: str | None = None

    @classmethod
    def of(cls, code: int, /, *, hint: str | None = None, debug: str | None = None, **params: str) -> AadstsError:
        """Look the code up in the catalogue and attach the request-specific values."""
        return cls(get_spec(code), MappingProxyType(dict(params)), hint, debug)

    def with_hint(self, hint: str) -> AadstsError:
        """A copy with a client-visible hint; the original is left untouched (fosite's copy-on-write)."""
        return replace(self, hint=hint)

    def with_suberror(self, suberror: str) -> AadstsError:
        """A copy carrying Entra's `suberror` classifier (e.g. `consent_required`, `basic_action`)."""
        return replace(self, suberror=suberror)

    def with_claims(self, claims: str) -> AadstsError:
        """A copy carrying a claims challenge (a JSON-encoded string, as Entra's `claims` field is) that the
        client sends back on its interactive retry (conditional access's `capolids`)."""
        return replace(self, claims=claims)

    @property
    def code(self) -> int:
        """The AADSTS number."""
        return self.spec.code

    @property
    def message(self) -> str:
        """The client-visible sentence: the filled description, then the hint."""
        text = fill(self.spec.description, self.params)
        return f"{text} {self.hint}" if self.hint else text

    def __str__(self) -> str:
        return f"AADSTS{self.spec.code}: {self.message}"
