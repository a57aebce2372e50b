"""The MIT keytab format: what `kadmin ktadd` writes reads back, and what we write MIT reads (the Kerberos
tests accept real tickets with keytabs written here)."""

from __future__ import annotations

import struct

import pytest

from tenantry.sso.keytab import KeytabEntry, KeytabFormatError, parse_keytab, write_keytab


def test_round_trip_keeps_every_field() -> None:
    """Multi-component principals, 32-bit kvnos above 255, both AES key sizes."""
    entries = [
        KeytabEntry("CORP.EXAMPLE", "HTTP/login.contoso.example", 2, 18, bytes(range(32)), 1_700_000_000),
        KeytabEntry("CORP.EXAMPLE", "HTTP/login.contoso.example", 300, 17, bytes(16), 1_700_000_001),
    ]
    assert parse_keytab(write_keytab(entries)) == entries
    assert entries[0].full_name == "HTTP/login.contoso.example@CORP.EXAMPLE"


def test_holes_are_skipped() -> None:
    """A deleted entry leaves a negative-length hole."""
    data = write_keytab([KeytabEntry("R", "HTTP/h", 1, 17, bytes(16))])
    holed = data[:2] + struct.pack(">i", -5) + b"\x00" * 5 + data[2:]
    assert [e.kvno for e in parse_keytab(holed)] == [1]


@pytest.mark.parametrize("data", [b"", b"\x05\x01", b"\x05\x02\x00\x00\x00\x10abc"], ids=["empty", "v1", "short"])
def test_other_bytes_are_refused(data: bytes) -> None:
    """Not a version-2 keytab, or truncated."""
    with pytest.raises(KeytabFormatError):
        parse_keytab(data)
