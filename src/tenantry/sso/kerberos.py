"""The SPNEGO acceptor: opens a browser's Kerberos ticket with a tenant's imported keys alone (no KDC, no
system krb5.conf), through MIT Kerberos' GSS-API (python-gssapi).

Why a private keytab file per attempt: MIT's acceptor reads keys from a keytab, and the keys are stored
sealed in the database. Each attempt writes the realm's keys, decrypted, to a fresh 0600 file in the
data directory's `sso/` folder (itself 0700), accepts, and deletes the file, so keys are in clear on disk
only for the milliseconds of one `accept_sec_context`, and a key rolled over or a realm disabled is
never used again. A MEMORY: keytab would avoid the file but needs the krb5 C API, which python-gssapi does
not expose.

The checks MIT makes with those keys: the ticket decrypts under a key of its kvno (else 81010), it is
within its validity, the authenticator's time is within `clock_skew` seconds of ours (Kerberos' 5 minutes
by default, else 81004), and the authenticator was not seen before: the replay cache is a `file2` cache
in the same folder, shared by every worker of the server (else 81010).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from tenantry.errors import Aadsts
from tenantry.sso.keytab import KeytabEntry, write_keytab
from tenantry.sso.models import AcceptedTicket
from tenantry.sso.negotiate import NotKerberosError, TicketInfo, TokenFormatError, read_ticket

_SKEW_MESSAGE = "Clock skew too great"
GSSAPI_MISSING = (
    "seamless SSO is unavailable on this server: python-gssapi is not installed "
    "(install libkrb5-dev, then `make install` or `pip install 'tenantry[kerberos]'`)"
)


def gssapi_available() -> bool:
    """Whether this server can accept Kerberos tickets (python-gssapi and MIT's libraries are installed)."""
    try:
        import gssapi  # noqa: F401
    except ImportError:
        return False
    return True


class KerberosRefusalError(Exception):
    """A ticket refused, with the seed's code; `detail` is for the operator's log only."""

    def __init__(self, code: Aadsts, detail: str) -> None:
        super().__init__(f"{int(code)}: {detail}")
        self.code = code
        self.detail = detail


def _profile(skew_seconds: int) -> str:
    """MIT's settings for acceptance only: the skew, and no DNS (the server never talks to a KDC)."""
    return (
        "[libdefaults]\n"
        f"  clockskew = {skew_seconds}\n"
        "  dns_lookup_kdc = false\n  dns_lookup_realm = false\n  rdns = false\n"
        "  dns_canonicalize_hostname = false\n"
    )


class KerberosAcceptor:
    """Accepts one Negotiate token against a set of keys; `workdir` is a private folder of the data dir."""

    def __init__(self, workdir: Path, clock_skew_seconds: int = 300) -> None:
        self._workdir = workdir
        self._skew = clock_skew_seconds
        self._ready = False

    def _prepare(self) -> None:
        """Create the private folder and MIT profile once; KRB5_CONFIG is read by MIT itself, not by us."""
        if self._ready:
            return
        self._workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self._workdir, 0o700)
        # One file per skew, replaced atomically: servers sharing a data directory may differ in their skew.
        profile = self._workdir / f"krb5-skew{self._skew}.conf"
        staging = self._workdir / f".{profile.name}.{secrets.token_hex(6)}"
        staging.write_text(_profile(self._skew), encoding="ascii")
        staging.replace(profile)
        os.environ["KRB5_CONFIG"] = str(profile)  # the process's only Kerberos user is this acceptor
        self._ready = True

    @contextlib.contextmanager
    def _keytab(self, keys: list[KeytabEntry]) -> Iterator[Path]:
        """A 0600 keytab holding `keys`, deleted on exit whatever happens."""
        path = self._workdir / f"accept-{secrets.token_hex(12)}.keytab"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(write_keytab(keys))
            yield path
        finally:
            path.unlink(missing_ok=True)

    def accept(self, token: bytes, keys: list[KeytabEntry]) -> AcceptedTicket:
        """The client principal of a valid ticket for one of `keys`; else KerberosRefusalError with its code."""
        ticket = _readable(token)
        usable = [k for k in keys if k.realm == ticket.realm and ticket.kvno in (None, k.kvno)]
        if not usable:
            held = sorted({(k.realm, k.kvno) for k in keys})
            raise KerberosRefusalError(
                Aadsts.DesktopSsoAuthTokenInvalid,
                f"ticket for {ticket.service}@{ticket.realm} kvno {ticket.kvno}; keys held: {held}",
            )
        self._prepare()
        with self._keytab(usable) as path:
            client, mutual = self._gss_accept(token, path)
        return AcceptedTicket(client, ticket.realm, ticket.service, ticket.kvno, mutual)

    def _gss_accept(self, token: bytes, keytab: Path) -> tuple[str, bytes | None]:
        try:  # imported here: python-gssapi is an optional install (it builds against libkrb5-dev)
            import gssapi
            from gssapi.raw.misc import GSSError
        except ImportError as err:
            raise KerberosRefusalError(Aadsts.DesktopSsoTenantIsNotOptIn, GSSAPI_MISSING) from err
        store: dict[bytes | str, bytes | str] = {
            "keytab": f"FILE:{keytab}",
            "rcache": f"file2:{self._workdir / 'replay.rcache2'}",
        }
        try:
            creds = gssapi.Credentials(usage="accept", store=store)
            context = gssapi.SecurityContext(creds=creds, usage="accept")
            mutual = context.step(token)
            if not context.complete:  # SPNEGO reports its mechanism's failure on the next call
                raise KerberosRefusalError(Aadsts.DesktopSsoAuthTokenInvalid, "the security context did not complete")
            return str(context.initiator_name), mutual
        except GSSError as err:
            message = err.gen_message()
            code = Aadsts.DesktopSsoIdentityInTicketIsNotAuthenticated
            if _SKEW_MESSAGE not in message:
                code = Aadsts.DesktopSsoAuthTokenInvalid
            raise KerberosRefusalError(code, message) from err


def _readable(token: bytes) -> TicketInfo:
    """The ticket's clear part, or the code for a token that is not Kerberos (81005) or not readable (81009)."""
    try:
        return read_ticket(token)
    except NotKerberosError as err:
        raise KerberosRefusalError(Aadsts.DesktopSsoAuthenticationPackageNotSupported, str(err)) from err
    except TokenFormatError as err:
        raise KerberosRefusalError(Aadsts.DesktopSsoAuthorizationHeaderValueWithBadFormat, str(err)) from err
