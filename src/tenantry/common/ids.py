"""Identifier generation: GUIDs for directory objects, opaque random handles for everything else."""

from __future__ import annotations

import base64
import random
import re
import secrets
import uuid


def new_guid() -> str:
    """A random (version 4) GUID in Entra's lower-case, hyphenated form."""
    return str(uuid.uuid4())


_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_guid(value: str) -> bool:
    """Whether `value` is a GUID in its canonical 8-4-4-4-12 hexadecimal form (either case)."""
    return len(value) == 36 and _GUID.fullmatch(value) is not None


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


# RFC 9562 §5.4: version 4 in bits 48-51 (counted from the most significant), variant 10 in bits 64-65.
_VERSION_4 = (~(0xF000 << 64) & ~(0xC000 << 48), (0x4000 << 64) | (0x8000 << 48))


def new_trace_id() -> str:
    """A GUID-shaped per-request identifier (trace and correlation ids): a version-4 UUID, formatted
    directly (this runs for every request)."""
    keep, set_bits = _VERSION_4
    digits = f"{(_labels.getrandbits(128) & keep) | set_bits:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def new_token_id() -> str:
    """A 22-character base64url id, the shape of Entra's `uti` claim; unique, not secret."""
    return b64url(_labels.getrandbits(128).to_bytes(16, "big"))


def jitter(low: int, high: int) -> int:
    """A uniformly drawn integer in [low, high] for non-secret randomisation (token lifetimes)."""
    return _labels.randint(low, high)
