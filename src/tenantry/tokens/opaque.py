"""Opaque tokens (codes, refresh tokens, device codes, session cookies): random, stored only as SHA-256.

A plain hash is enough because the values carry 256 bits of entropy; it lets storage find a token
by its hash without ever holding the token itself (RFC 6819 §5.1.4.1.3).
"""

from __future__ import annotations

import hashlib
import secrets

from tenantry.common.ids import b64url


def new_opaque_token(prefix: str = "") -> str:
    """A fresh 256-bit token, base64url; an optional prefix tells token kinds apart in logs and support."""
    return prefix + b64url(secrets.token_bytes(32))


def token_hash(value: str) -> bytes:
    """The stored form of an opaque token."""
    return hashlib.sha256(value.encode("utf-8")).digest()
