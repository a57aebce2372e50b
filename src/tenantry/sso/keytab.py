"""The MIT keytab file format (version 0x502), read when an administrator imports one and written back, one
realm at a time, into the private file the acceptor reads at use time.

A keytab is a list of entries (principal, timestamp, key version number, key). Only what the acceptor
needs is kept: the 32-bit kvno when present (it supersedes the 8-bit one), and no holes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

_VERSION = b"\x05\x02"
_NT_PRINCIPAL = 1


class KeytabFormatError(ValueError):
    """The bytes are not a version-2 MIT keytab."""


@dataclass(frozen=True, slots=True)
class KeytabEntry:
    """One key of one principal: `principal` is `HTTP/host` (components joined by `/`), without the realm."""

    realm: str
    principal: str
    kvno: int
    enctype: int
    key: bytes
    timestamp: int = 0

    @property
    def full_name(self) -> str:
        """`HTTP/host@REALM`."""
        return f"{self.principal}@{self.realm}"


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self._data):
            raise KeytabFormatError("truncated keytab")
        chunk = self._data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: str) -> int:
        (value,) = struct.unpack(fmt, self.take(struct.calcsize(fmt)))
        return int(value)

    def counted(self) -> bytes:
        return self.take(self.unpack(">H"))


def _entry(record: bytes) -> KeytabEntry:
    reader = _Reader(record)
    count = reader.unpack(">H")
    realm = reader.counted().decode("utf-8")
    components = [reader.counted().decode("utf-8") for _ in range(count)]
    reader.unpack(">I")  # name type
    timestamp = reader.unpack(">I")
    kvno = reader.unpack(">B")
    enctype = reader.unpack(">H")
    key = reader.counted()
    if len(record) - reader.pos >= 4:
        kvno = reader.unpack(">I") or kvno
    return KeytabEntry(realm, "/".join(components), kvno, enctype, key, timestamp)


def parse_keytab(data: bytes) -> list[KeytabEntry]:
    """Every entry of a keytab file; raises `KeytabFormatError` on anything else."""
    if data[:2] != _VERSION:
        raise KeytabFormatError("not an MIT keytab (version 0x502)")
    reader = _Reader(data)
    reader.pos = 2
    entries = []
    while reader.pos < len(data):
        size = reader.unpack(">i")
        record = reader.take(abs(size))
        if size > 0:
            entries.append(_entry(record))
    return entries


def _counted(value: bytes) -> bytes:
    return struct.pack(">H", len(value)) + value


def write_keytab(entries: list[KeytabEntry]) -> bytes:
    """The keytab file holding `entries` (what `kadmin ktadd` would write)."""
    out = bytearray(_VERSION)
    for entry in entries:
        components = entry.principal.split("/")
        record = struct.pack(">H", len(components)) + _counted(entry.realm.encode("utf-8"))
        record += b"".join(_counted(c.encode("utf-8")) for c in components)
        record += struct.pack(">IIBH", _NT_PRINCIPAL, entry.timestamp, entry.kvno & 0xFF, entry.enctype)
        record += _counted(entry.key) + struct.pack(">I", entry.kvno)
        out += struct.pack(">i", len(record)) + record
    return bytes(out)
