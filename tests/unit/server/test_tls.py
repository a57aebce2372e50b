"""The development PKI: one CA however many processes create it at once, private keys kept private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from tenantry.server.tls import ensure_dev_certificates

_ENSURE_AT_ONCE = """
import os, sys, time
from pathlib import Path
from tenantry.server.tls import ensure_dev_certificates
home, ready, go = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
open(os.path.join(ready, str(os.getpid())), "w").close()
while not os.path.exists(go):
    time.sleep(0.001)
files = ensure_dev_certificates(home)
print(files.ca_cert.read_text() + files.server_cert.read_text(), end="")
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _ensure_at_once(home: Path, workdir: Path, count: int) -> list[tuple[int, str, str]]:
    ready, go = workdir / "ready", workdir / "go"
    ready.mkdir(parents=True)
    command = [sys.executable, "-c", _ENSURE_AT_ONCE, str(home), str(ready), str(go)]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(count)
    ]
    deadline = time.monotonic() + 60
    while len(list(ready.iterdir())) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outputs = [p.communicate(timeout=60) for p in processes]
    return [(p.returncode, out, err) for p, (out, err) in zip(processes, outputs, strict=True)]


@pytest.mark.parametrize("attempt", range(2))
def test_processes_started_together_agree_on_one_ca(tmp_path: Path, attempt: int) -> None:
    """Each process reads back, right after creating them, the CA and server certificate the others use."""
    home = tmp_path / "home"
    results = _ensure_at_once(home, tmp_path / "launch", 6)
    assert [code for code, _, _ in results] == [0] * 6, [err for _, _, err in results]
    assert len({out for _, out, _ in results}) == 1, "the processes saw different CAs or server certificates"
    ca = x509.load_pem_x509_certificate((home / "tls" / "ca.pem").read_bytes())
    server = x509.load_pem_x509_certificate((home / "tls" / "server.pem").read_bytes())
    server.verify_directly_issued_by(ca)


def test_modes_are_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        files = ensure_dev_certificates(tmp_path / "home")
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "home") == 0o700
    assert _mode(files.directory) == 0o700
    assert (_mode(files.ca_key), _mode(files.server_key)) == (0o600, 0o600)
    assert (_mode(files.ca_cert), _mode(files.server_cert)) == (0o644, 0o644)


def test_a_new_ca_brings_a_new_server_certificate(tmp_path: Path) -> None:
    """A server certificate signed by a CA that is gone would not chain to the one clients are told to trust."""
    files = ensure_dev_certificates(tmp_path)
    files.ca_key.unlink()
    ensure_dev_certificates(tmp_path)
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    x509.load_pem_x509_certificate(files.server_cert.read_bytes()).verify_directly_issued_by(ca)
    assert isinstance(ca.public_key(), ec.EllipticCurvePublicKey)
    assert [p.name for p in files.directory.iterdir() if p.name.startswith(".") and p.name != ".lock"] == []
