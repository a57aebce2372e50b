"""Reading the clear part of Negotiate tokens (RFC 4178, RFC 4121 §4.1, RFC 4120 §5.3) without a KDC: which
package it is (NTLM is 81005, not a bad ticket), and which realm, service and key version its ticket names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantry.errors import Aadsts
from tenantry.sessions.kerberos import negotiate_token
from tenantry.sso.kerberos import KerberosAcceptor, KerberosRefusalError
from tenantry.sso.keytab import KeytabEntry
from tenantry.sso.negotiate import NotKerberosError, TokenFormatError, read_ticket

SPNEGO = bytes.fromhex("2b0601050502")
KRB5 = bytes.fromhex("2a864886f712010202")
KRB5_MS = bytes.fromhex("2a864882f712010202")
NTLM = bytes.fromhex("2b06010401823702020a")
NTLMSSP = b"NTLMSSP\x00\x01\x00\x00\x00" + b"\x00" * 28


def der(tag: int, *parts: bytes) -> bytes:
    """One DER element (short and long lengths)."""
    body = b"".join(parts)
    if len(body) < 0x80:
        return bytes([tag, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def integer(value: int) -> bytes:
    return der(0x02, value.to_bytes(2, "big", signed=True))


def ap_req(
    realm: str = "CORP.EXAMPLE", service: tuple[str, ...] = ("HTTP", "localhost"), kvno: int | None = 3
) -> bytes:
    """A Kerberos mechanism token (RFC 4121 §4.1) around an AP-REQ whose ticket names `service@realm`."""
    names = der(0x30, *(der(0x1B, part.encode()) for part in service))
    sname = der(0x30, der(0xA0, integer(2)), der(0xA1, names))
    enc = [
        der(0xA0, integer(18)),
        *([der(0xA1, integer(kvno))] if kvno is not None else []),
        der(0xA2, der(0x04, b"x" * 200)),
    ]
    ticket = der(
        0x61,
        der(
            0x30,
            der(0xA0, integer(5)),
            der(0xA1, der(0x1B, realm.encode())),
            der(0xA2, sname),
            der(0xA3, der(0x30, *enc)),
        ),
    )
    request = der(0x6E, der(0x30, der(0xA0, integer(5)), der(0xA1, integer(14)), der(0xA3, ticket)))
    return der(0x60, der(0x06, KRB5), b"\x01\x00", request)


def spnego(mechs: tuple[bytes, ...], mech_token: bytes | None) -> bytes:
    """A NegTokenInit offering `mechs`, with an optimistic token."""
    fields = [der(0xA0, der(0x30, *(der(0x06, m) for m in mechs)))]
    if mech_token is not None:
        fields.append(der(0xA2, der(0x04, mech_token)))
    return der(0x60, der(0x06, SPNEGO), der(0xA0, der(0x30, *fields)))


def test_spnego_around_kerberos_names_realm_service_and_kvno() -> None:
    """What Chromium and requests-gssapi send (Windows lists Microsoft's Kerberos OID first)."""
    for mechs in ((KRB5,), (KRB5_MS, KRB5, NTLM)):
        ticket = read_ticket(spnego(mechs, ap_req()))
        assert (ticket.realm, ticket.service, ticket.kvno, ticket.enctype) == ("CORP.EXAMPLE", "HTTP/localhost", 3, 18)


def test_bare_kerberos_and_a_ticket_without_kvno() -> None:
    """Older clients send the Kerberos token itself; kvno is optional in EncryptedData."""
    assert read_ticket(ap_req(kvno=None)).kvno is None


@pytest.mark.parametrize("token", [NTLMSSP, spnego((NTLM,), NTLMSSP)], ids=["raw", "spnego"])
def test_ntlm_is_not_kerberos(token: bytes) -> None:
    """Raw NTLMSSP, or SPNEGO offering only NTLM: 81005."""
    with pytest.raises(NotKerberosError):
        read_ticket(token)


@pytest.mark.parametrize(
    "token",
    [b"", b"\x60", b"\x60\x05\x06\x01", b"garbage-garbage", spnego((KRB5,), None), spnego((KRB5,), b"\x30\x00")],
    ids=["empty", "short", "truncated", "not-der", "no-mech-token", "not-gss"],
)
def test_unreadable_tokens(token: bytes) -> None:
    """Anything else is 81009 (or 81005 for a readable non-Kerberos mechanism token)."""
    with pytest.raises((TokenFormatError, NotKerberosError)):
        read_ticket(token)


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("NTLM TlRMTVNTUAABAAAA", Aadsts.DesktopSsoAuthenticationPackageNotSupported),
        ("Basic dXNlcjpwYXNz", Aadsts.DesktopSsoAuthorizationHeaderValueWithBadFormat),
        ("Negotiate", Aadsts.DesktopSsoAuthorizationHeaderValueWithBadFormat),
        ("Negotiate ***", Aadsts.DesktopSsoAuthorizationHeaderValueWithBadFormat),
    ],
)
def test_authorization_headers_that_carry_no_negotiate_token(header: str, code: Aadsts) -> None:
    """The scheme decides before the token is read."""
    with pytest.raises(KerberosRefusalError) as refused:
        negotiate_token(header)
    assert refused.value.code == code


def test_a_key_version_the_tenant_does_not_hold_is_refused_before_any_crypto(tmp_path: Path) -> None:
    """kvno 3 against keys of kvno 2 (or another realm's): 81010, and no keytab is ever written."""
    keys = [
        KeytabEntry("CORP.EXAMPLE", "HTTP/localhost", 2, 18, bytes(32)),
        KeytabEntry("OTHER", "HTTP/x", 3, 18, bytes(32)),
    ]
    with pytest.raises(KerberosRefusalError) as refused:
        KerberosAcceptor(tmp_path / "sso").accept(spnego((KRB5,), ap_req(kvno=3)), keys)
    assert refused.value.code == Aadsts.DesktopSsoAuthTokenInvalid
    assert not (tmp_path / "sso").exists()
