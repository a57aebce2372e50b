"""Inside the test's mount and network namespace: `tenantry serve --transparent` on 443, then `clients.py`.

Usage: inside.py HOME CLIENT_ENV_JSON. Prints one JSON object: the clients' findings (`clients`), their
stderr when they failed, and the server's output (`server`), which the test searches for the requests the
clients made (instance discovery) and for leaked secrets.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

READY_TIMEOUT = 30.0
CLIENT_TIMEOUT = 120.0


def wait_ready(ca: Path, server: subprocess.Popen[bytes]) -> None:
    """Block until the server completes a TLS handshake as login.microsoftonline.com."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"tenantry serve exited with {server.returncode}")
        try:
            context = ssl.create_default_context(cafile=str(ca))
            with (
                socket.create_connection(("127.0.0.1", 443), timeout=0.5) as raw,
                context.wrap_socket(raw, server_hostname="login.microsoftonline.com"),
            ):
                return
        except (OSError, ssl.SSLError):
            time.sleep(0.1)
    raise RuntimeError("tenantry serve --transparent did not accept TLS in time")


def main() -> None:
    """Serve, run the clients, stop, report."""
    home, client_env = Path(sys.argv[1]), json.loads(sys.argv[2])
    log_path = home / "transparent-server.log"
    server_env = {"TENANTRY_HOME": str(home), "PATH": client_env["PATH"], "PYTHONUNBUFFERED": "1"}
    report: dict[str, object] = {}
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tenantry", "serve", "--transparent", "--access-log"],
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            wait_ready(home / "tls" / "ca.pem", server)
            script = Path(__file__).with_name("clients.py")
            done = subprocess.run(
                [sys.executable, str(script)], env=client_env, capture_output=True, text=True, timeout=CLIENT_TIMEOUT
            )
            report["clients"] = json.loads(done.stdout) if done.returncode == 0 else None
            report["clients_stderr"] = done.stderr[-8000:]
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            report["error"] = str(exc)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    report["server"] = log_path.read_text(encoding="utf-8", errors="replace")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
