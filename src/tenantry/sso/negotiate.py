"""What a `Negotiate` token holds, read before any key is used (RFC 4178 SPNEGO, RFC 4121 §4.1, RFC 4120 §5.5.1).

The acceptor (sso/kerberos.py) does the cryptography; this module only reads the clear parts of the token,
so that a refusal can say why (seed 003's codes) and a success can name the key version that opened it:
- an NTLM token (raw `NTLMSSP`, or SPNEGO offering no Kerberos mechanism) is 81005, not a bad ticket;
- the AP-REQ's ticket carries the service realm and the kvno of the key it is encrypted in, in clear.
"""

from __future__ import annotations

from dataclasses import dataclass

_NTLMSSP = b"NTLMSSP\x00"
_OID_SPNEGO = bytes.fromhex("2b0601050502")  # 1.3.6.1.5.5.2
_OID_KRB5 = bytes.fromhex("2a864886f712010202")  # 1.2.840.113554.1.2.2
_OID_KRB5_MS = bytes.fromhex("2a864882f712010202")  # 1.2.840.48018.1.2.2, what Windows offers first
_KERBEROS_OIDS = frozenset({_OID_KRB5, _OID_KRB5_MS})
_TOK_AP_REQ = b"\x01\x00"


class TokenFormatError(ValueError):
    """Not a token this server can read (81009)."""


class NotKerberosError(ValueError):
    """A well-formed token of another package, NTLM in practice (81005)."""


@dataclass(frozen=True, slots=True)
class TicketInfo:
    """The clear part of the AP-REQ's ticket: the service principal it was issued for and its key version."""

    realm: str
    service: str
    kvno: int | None
    enctype: int


def _tlv(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """One DER element at `pos`: (tag, contents, position after it)."""
    if pos + 2 > len(data):
        raise TokenFormatError("truncated element")
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise TokenFormatError("bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise TokenFormatError("truncated element")
    return tag, data[pos : pos + length], pos + length


def _children(data: bytes) -> dict[int, bytes]:
    """The elements of a constructed value, by tag (context tags are unique within one SEQUENCE)."""
    found: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        tag, value, pos = _tlv(data, pos)
        found[tag] = value
    return found


def _gss_inner(token: bytes) -> tuple[bytes, bytes]:
    """RFC 2743 §3.1 framing: (mechanism OID, what follows it)."""
    tag, body, _ = _tlv(token, 0)
    if tag != 0x60:
        raise TokenFormatError("not a GSS-API initial token")
    oid_tag, oid, end = _tlv(body, 0)
    if oid_tag != 0x06:
        raise TokenFormatError("no mechanism OID")
    return oid, body[end:]


def _mech_token(spnego_body: bytes) -> bytes:
    """The Kerberos token inside a NegTokenInit (RFC 4178 §4.2.1), or NotKerberosError."""
    _, init, _ = _tlv(spnego_body, 0)  # [0] NegTokenInit
    _, sequence, _ = _tlv(init, 0)
    fields = _children(sequence)
    mech_types = _tlv(fields[0xA0], 0)[1] if 0xA0 in fields else b""
    if not set(_all_oids(mech_types)) & _KERBEROS_OIDS:
        raise NotKerberosError("SPNEGO offers no Kerberos mechanism")
    if 0xA2 not in fields:
        raise TokenFormatError("SPNEGO without an optimistic mechanism token")
    tag, inner, _ = _tlv(fields[0xA2], 0)
    if tag != 0x04:
        raise TokenFormatError("mechToken is not an OCTET STRING")
    return inner


def _all_oids(data: bytes) -> list[bytes]:
    oids, pos = [], 0
    while pos < len(data):
        tag, value, pos = _tlv(data, pos)
        if tag == 0x06:
            oids.append(value)
    return oids


def _ticket(ap_req: bytes) -> TicketInfo:
    """RFC 4120 §5.5.1 AP-REQ → §5.3 Ticket: realm [1], sname [2], enc-part [3] (etype [0], kvno [1])."""
    tag, body, _ = _tlv(ap_req, 0)
    if tag != 0x6E:
        raise TokenFormatError("not an AP-REQ")
    _, fields_body, _ = _tlv(body, 0)
    _, ticket_app, _ = _tlv(_children(fields_body)[0xA3], 0)
    _, ticket_seq, _ = _tlv(ticket_app, 0)
    ticket = _children(ticket_seq)
    realm = _tlv(ticket[0xA1], 0)[1].decode("utf-8")
    _, sname, _ = _tlv(ticket[0xA2], 0)
    _, names, _ = _tlv(_children(sname)[0xA1], 0)
    service = "/".join(part.decode("utf-8") for part in _strings(names))
    _, enc, _ = _tlv(ticket[0xA3], 0)
    enc_part = _children(enc)
    etype = int.from_bytes(_tlv(enc_part[0xA0], 0)[1], "big", signed=True)
    kvno = int.from_bytes(_tlv(enc_part[0xA1], 0)[1], "big", signed=True) if 0xA1 in enc_part else None
    return TicketInfo(realm, service, kvno, etype)


def _strings(data: bytes) -> list[bytes]:
    parts, pos = [], 0
    while pos < len(data):
        _, value, pos = _tlv(data, pos)
        parts.append(value)
    return parts


def read_ticket(token: bytes) -> TicketInfo:
    """The ticket of a Negotiate token (SPNEGO around Kerberos, or bare Kerberos as older clients send).

    Raises NotKerberosError for NTLM and TokenFormatError for anything unreadable."""
    if token.startswith(_NTLMSSP):
        raise NotKerberosError("raw NTLM token")
    try:
        oid, rest = _gss_inner(token)
        if oid == _OID_SPNEGO:
            oid, rest = _gss_inner(_mech_token(rest))
        if oid not in _KERBEROS_OIDS or not rest.startswith(_TOK_AP_REQ):
            raise NotKerberosError("not a Kerberos AP-REQ")
        return _ticket(rest[2:])
    except (KeyError, IndexError, UnicodeDecodeError) as exc:
        raise TokenFormatError(f"unreadable token: {type(exc).__name__}") from exc
