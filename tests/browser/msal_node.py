"""@azure/msal-node for the browser suite: installed by the test itself with npm into the git-ignored
`tests/browser/.node/`, and the checked-in `node/auth_code.mjs` run as a child process that talks one
JSON object per line over stdin/stdout.
"""

from __future__ import annotations

import json
import selectors
import shutil
import subprocess
import time
from pathlib import Path
from typing import IO, Any

from support.npm import ensure_package

MSAL_NODE_MAJOR = 7
NODE_DIR = Path(__file__).parent / ".node"
SCRIPT = Path(__file__).parent / "node" / "auth_code.mjs"
INSTALL_TIMEOUT = 180.0
LINE_TIMEOUT = 30.0


def ensure_msal_node() -> Path:
    """`tests/browser/.node` holding @azure/msal-node@MSAL_NODE_MAJOR, installed with npm when absent."""
    return ensure_package(NODE_DIR, "@azure/msal-node", MSAL_NODE_MAJOR, INSTALL_TIMEOUT)


class NodeAuthCode:
    """One run of `auth_code.mjs`: read its authorize URL, hand it the redirect's parameters, read its tokens."""

    def __init__(self, module_dir: Path, env: dict[str, str]) -> None:
        node = shutil.which("node") or "node"
        self._process = subprocess.Popen(
            [node, str(SCRIPT)],
            env={**env, "MSAL_NODE_DIR": str(module_dir)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def _read_line(self) -> dict[str, Any]:
        stdout = self._process.stdout
        assert stdout is not None
        deadline = time.monotonic() + LINE_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                if time.monotonic() >= deadline:
                    self.close()
                    raise AssertionError(f"auth_code.mjs said nothing for {LINE_TIMEOUT:.0f} s")
        line = stdout.readline()
        if not line:
            self._process.wait(timeout=5)
            raise AssertionError(f"auth_code.mjs exited with {self._process.returncode}:\n{self._stderr()}")
        message: dict[str, Any] = json.loads(line)
        return message

    def _stderr(self) -> str:
        stream: IO[str] | None = self._process.stderr
        return stream.read() if stream is not None else ""

    def authorize_url(self) -> dict[str, Any]:
        """The first message: `url` (the authorize URL msal-node built), `state`, `nonce`."""
        return self._read_line()

    def redeem(self, reply: dict[str, str]) -> dict[str, Any]:
        """Send the redirect's query parameters; msal-node's answer (`result`/`cached`/`refreshed`, or `error`)."""
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(json.dumps(reply) + "\n")
        stdin.flush()
        answer = self._read_line()
        self._process.wait(timeout=10)
        return answer

    def close(self) -> None:
        """Kill the script if it still runs."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=5)


ROPC_SCRIPT = Path(__file__).parent / "node" / "ropc.mjs"


def node_ropc(module_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run `ropc.mjs` once: msal-node's `acquireTokenByUsernamePassword`, its result or its error."""
    node = shutil.which("node") or "node"
    done = subprocess.run(
        [node, str(ROPC_SCRIPT)],
        env={**env, "MSAL_NODE_DIR": str(module_dir)},
        capture_output=True,
        text=True,
        timeout=LINE_TIMEOUT,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"ropc.mjs printed nothing (exit {done.returncode}):\n{done.stderr[-2000:]}"
    answer: dict[str, Any] = json.loads(lines[-1])
    return answer
