"""Identifier generation: GUIDs for directory objects, opaque random handles for everything else."""

from __future__ import annotations

import base64
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


def new_token_id() -> str:
    """A 22-character base64url id, the shape of Entra's `uti` claim."""
    return b64url(secrets.token_bytes(16))
