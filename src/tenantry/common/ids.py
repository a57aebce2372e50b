"""Identifier generation: GUIDs for directory objects, opaque random handles for everything else."""

from __future__ import annotations

import base64
import random
import secrets
import uuid


def new_guid() -> str:
    """A random (version 4) GUID in Entra's lower-case, hyphenated form."""
    return str(uuid.uuid4())


def is_guid(value: str) -> bool:
    """Whether `value` is a GUID in any of the forms `uuid.UUID` accepts with hyphens."""
    if len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; MSAL sends thumbprints padded."""
    stripped = text.strip().rstrip("=")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


# Per-request identifiers (trace ids, `uti`) are labels, not secrets: they are echoed to clients and
# logged. A seeded PRNG makes them without a system call per request; anything secret uses `secrets`.
_labels = random.Random(secrets.randbits(128))  # noqa: S311 - identifiers, not secrets (see above)


def new_trace_id() -> str:
    """A GUID-shaped per-request identifier (trace and correlation ids)."""
    return str(uuid.UUID(int=_labels.getrandbits(128), version=4))


def new_token_id() -> str:
    """A 22-character base64url id, the shape of Entra's `uti` claim; unique, not secret."""
    return b64url(_labels.getrandbits(128).to_bytes(16, "big"))


def jitter(low: int, high: int) -> int:
    """A uniformly drawn integer in [low, high] for non-secret randomisation (token lifetimes)."""
    return _labels.randint(low, high)
