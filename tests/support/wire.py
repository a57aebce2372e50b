"""Observe what Microsoft's client libraries send, without changing them.

MSAL Python and azure-core both send through `requests.adapters.HTTPAdapter.send`; wrapping that
method records each request and passes it on untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests.adapters


@dataclass(frozen=True, slots=True)
class SentRequest:
    """One HTTP request as it went on the wire."""

    method: str
    url: str
    body: str

    @property
    def form(self) -> dict[str, str]:
        """The form-encoded body, one value per name (the token endpoint rejects duplicates anyway)."""
        return {name: values[0] for name, values in parse_qs(self.body, keep_blank_values=True).items()}


def record_requests(monkeypatch: pytest.MonkeyPatch) -> list[SentRequest]:
    """Start recording; the list fills as requests are sent and stops when `monkeypatch` undoes the patch."""
    sent: list[SentRequest] = []
    original = requests.adapters.HTTPAdapter.send

    def recording_send(self: requests.adapters.HTTPAdapter, request: Any, *args: Any, **kwargs: Any) -> Any:
        body = request.body.decode("utf-8") if isinstance(request.body, bytes) else str(request.body or "")
        sent.append(SentRequest(str(request.method), str(request.url), body))
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", recording_send)
    return sent


def token_requests(sent: list[SentRequest]) -> list[SentRequest]:
    """The POSTs to a token endpoint among the recorded requests."""
    return [r for r in sent if r.method == "POST" and r.url.endswith("/oauth2/v2.0/token")]
