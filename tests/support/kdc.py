"""A real MIT KDC (Debian `krb5-kdc`, `kdb5_util`, `kadmin.local`, `kinit`) on loopback, in a temporary realm.

Everything lives in one temporary folder: the profile (KRB5_CONFIG for clients, KRB5_KDC_PROFILE for the
KDC), the database and stash, the log. The KDC runs in the foreground (`krb5kdc -n`) as our child process on
a free UDP/TCP port; `stop()` ends that one process. Clients (kinit, requests-gssapi, Chromium) get
`client_env()`; the Tenantry server gets none of it: it accepts tickets with its imported keys alone.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import struct
import subprocess
import time
from pathlib import Path

_SBIN = "/usr/sbin:/sbin:/usr/bin:/bin"
_TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit", "kvno")
READY_TIMEOUT = 10.0


def tool(name: str) -> str | None:
    """Where a Kerberos tool is (the admin tools live in /usr/sbin, often off a user's PATH)."""
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:{_SBIN}")


def missing_requirement() -> str | None:
    """Why a KDC cannot be started here, or None."""
    missing = [name for name in _TOOLS if tool(name) is None]
    if missing:
        return (
            f"MIT Kerberos tools missing: {', '.join(missing)} (apt-get install krb5-kdc krb5-admin-server krb5-user)"
        )
    return None


def _free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 (the KDC listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port for the KDC")


class Kdc:
    """One realm's KDC; `start()` creates the database and runs `krb5kdc`."""

    def __init__(self, folder: Path, realm: str = "CORP.EXAMPLE") -> None:
        self.folder = folder
        self.realm = realm
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def krb5_conf(self) -> Path:
        """The clients' profile (and the KDC's realm list)."""
        return self.folder / "krb5.conf"

    def client_env(self, ccache: Path | None = None) -> dict[str, str]:
        """Environment of a Kerberos client of this realm, with `ccache` as its credential cache."""
        env = {"KRB5_CONFIG": str(self.krb5_conf), "KRB5_KDC_PROFILE": str(self.folder / "kdc.conf")}
        if ccache is not None:
            env["KRB5CCNAME"] = f"FILE:{ccache}"
        return env

    def _write_profiles(self) -> None:
        self.krb5_conf.write_text(
            f"[libdefaults]\n default_realm = {self.realm}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n"
            " rdns = false\n dns_canonicalize_hostname = false\n udp_preference_limit = 1\n"
            f"[realms]\n {self.realm} = {{\n  kdc = 127.0.0.1:{self.port}\n }}\n"
            f"[domain_realm]\n localhost = {self.realm}\n",
            encoding="ascii",
        )
        (self.folder / "kdc.conf").write_text(
            f"[kdcdefaults]\n kdc_ports = {self.port}\n kdc_tcp_ports = {self.port}\n"
            f"[realms]\n {self.realm} = {{\n  database_name = {self.folder / 'principal'}\n"
            f"  key_stash_file = {self.folder / 'stash'}\n  acl_file = {self.folder / 'kadm5.acl'}\n"
            "  max_life = 10h\n  max_renewable_life = 0\n }\n"
            f"[logging]\n kdc = FILE:{self.folder / 'kdc.log'}\n",
            encoding="ascii",
        )

    def run(self, *command: str, stdin: str | None = None) -> str:
        """A Kerberos tool with this realm's environment; its output, or an error with it."""
        path = tool(command[0])
        assert path is not None, command[0]
        done = subprocess.run(
            [path, *command[1:]],
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, **self.client_env()},
            timeout=30,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stdout}{done.stderr}")
        return done.stdout

    def start(self) -> None:
        """Create the realm's database and start the KDC; wait until it answers on TCP."""
        self._write_profiles()
        self.run("kdb5_util", "create", "-s", "-r", self.realm, "-P", secrets.token_urlsafe(24))
        krb5kdc = tool("krb5kdc")
        assert krb5kdc is not None
        self._process = subprocess.Popen(
            [krb5kdc, "-n", "-r", self.realm],
            env={**os.environ, **self.client_env()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"krb5kdc exited with {self._process.returncode}: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"krb5kdc did not listen within {READY_TIMEOUT} s: {self.log()}")

    def log(self) -> str:
        """The KDC's log so far."""
        path = self.folder / "kdc.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """End the KDC process this fixture started."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=5)

    def kadmin(self, query: str) -> str:
        """`kadmin.local -q QUERY` (local database access, no admin server needed)."""
        return self.run("kadmin.local", "-r", self.realm, "-q", query)

    def add_user(self, name: str, password: str) -> str:
        """A user principal; returns `name@REALM`."""
        self.kadmin(f"addprinc -pw {password} {name}")
        return f"{name}@{self.realm}"

    def add_service(self, spn: str) -> None:
        """A service principal with a random key (`HTTP/localhost`)."""
        self.kadmin(f"addprinc -randkey {spn}")

    def export_keytab(self, spn: str, keytab: Path) -> None:
        """`ktadd`: writes the principal's keys to `keytab`, under a new key version (as a rollover does)."""
        self.kadmin(f"ktadd -k {keytab} {spn}")

    def new_key_version(self, spn: str) -> None:
        """A new random key in the KDC only (the server still holds the old one)."""
        self.kadmin(f"cpw -randkey {spn}")

    def kinit(self, principal: str, password: str, ccache: Path, lifetime: str | None = None) -> None:
        """A TGT for `principal` in `ccache` (`lifetime` as kinit's -l, e.g. `5s`)."""
        command = ["kinit", *(("-l", lifetime) if lifetime else ()), "-c", f"FILE:{ccache}", principal]
        self.run(*command, stdin=f"{password}\n")

    def service_ticket(self, spn: str, ccache: Path) -> None:
        """Get (and cache) the ticket for `spn` now, as a browser would have before the attempt."""
        self.run("kvno", "-c", f"FILE:{ccache}", spn)


def shift_clock(ccache: Path, seconds: int) -> None:
    """Make the cache's client believe its clock is `seconds` off the KDC's: MIT keeps the KDC time offset
    in the v4 cache header (tag 1), and the client adds it to the authenticator's time."""
    data = bytearray(ccache.read_bytes())
    if data[:2] != b"\x05\x04" or data[4:6] != b"\x00\x01":
        raise RuntimeError("not a v4 credential cache with a time offset tag")
    data[8:16] = struct.pack(">ii", seconds, 0)
    ccache.write_bytes(bytes(data))
