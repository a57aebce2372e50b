"""Benchmark of smart lockout under a password spray: what locks, who still signs in, what a refusal costs.

What it does (issue 12, "Done when"):

1. sets up, in-process with `build_services`, a tenant with 100 users (`--users`), an API and a public client
   consented to it, and sets the tenant's lockout duration (`--duration`, default 600 s, so that no lockout
   ends during the run; Entra's 60 s would let each user's lockout expire once or twice in a slow run);
2. starts one Tenantry process (`python -m tenantry serve`, HTTPS; state in its SQLite database, or in Redis
   with `--redis URL`), and signs every user in once from 127.0.0.1, their usual (familiar) address;
3. sprays 10,000 ROPC attempts (`--rounds` × users): round r tries the wrong password `Spray-r` against every
   user, from 20 loopback addresses 127.0.0.10–29 in turn (each client thread binds its socket there), with
   one keep-alive connection per address. Rounds 1–10 lock every user's unfamiliar location (10 distinct
   wrong passwords each, each one argon2 verify); the server's CPU is then measured over the remaining rounds,
   where every attempt should be refused with 50053 before any password work;
4. while everyone is locked: each user signs in from 127.0.0.1 with the right password (must succeed), and
   tries the right password from a spray address (must be refused with 50053);
5. prints the counts, the server's CPU per refused attempt beside one argon2 verify's, and PASS/FAIL.

Exit status: 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.machine import CpuSample, machine_info
from harness.report import add_output_args, close_run_dir, emit, machine_line, new_parser, new_run_dir, say
from harness.server import HOST, tenantry_home, tenantry_server

DOMAIN = "spray.example.com"
RESOURCE = "api://lockout-bench"
SCOPE = f"openid {RESOURCE}/Bench.Access"
HOME_ADDRESS = "127.0.0.1"
SPRAY_ADDRESSES = tuple(f"127.0.0.{n}" for n in range(10, 30))
LOCKING_ROUNDS = 10  # Entra's threshold


@dataclass(frozen=True)
class Directory:
    """What the set-up created."""

    tenant_id: str
    client_id: str
    usernames: tuple[str, ...]
    password: str


@dataclass
class Report:
    """Counts and figures of one run."""

    settings: dict[str, Any]
    machine: dict[str, Any] = field(default_factory=dict)
    familiar: Counter[int] = field(default_factory=Counter)
    locking: Counter[int] = field(default_factory=Counter)
    locked: Counter[int] = field(default_factory=Counter)
    home_after: Counter[int] = field(default_factory=Counter)
    spray_right_password: Counter[int] = field(default_factory=Counter)
    locked_wall_s: float = 0.0
    locked_server_cpu_s: float = 0.0
    argon2_ms: float = 0.0

    def checks(self) -> dict[str, bool]:
        """What must hold (codes: 0 is a token, else the AADSTS code)."""
        users = self.settings["users"]
        return {
            "every user signed in from 127.0.0.1 before the spray": self.familiar == Counter({0: users}),
            "the first 10 rounds answered 50126 (wrong password)": set(self.locking) == {50126},
            "every later spray attempt answered 50053 (locked)": set(self.locked) == {50053},
            "every user still signs in from 127.0.0.1": self.home_after == Counter({0: users}),
            "the right password from a spray address answers 50053": self.spray_right_password
            == Counter({50053: users}),
        }

    def cpu_ms_per_refusal(self) -> float:
        """The server's CPU per attempt of the locked phase."""
        return 1000 * self.locked_server_cpu_s / max(1, sum(self.locked.values()))

    def to_json(self) -> dict[str, Any]:
        """The figures as JSON."""
        return {
            "settings": self.settings,
            "machine": self.machine,
            "familiar_sign_ins": dict(self.familiar),
            "locking_rounds": dict(self.locking),
            "locked_rounds": dict(self.locked),
            "home_sign_ins_while_locked": dict(self.home_after),
            "right_password_from_spray_address": dict(self.spray_right_password),
            "locked_phase_wall_s": self.locked_wall_s,
            "locked_phase_attempts_per_s": sum(self.locked.values()) / max(self.locked_wall_s, 1e-9),
            "server_cpu_ms_per_refused_attempt": self.cpu_ms_per_refusal(),
            "argon2_verify_cpu_ms": self.argon2_ms,
            "checks": self.checks(),
        }


def render(report: Report) -> str:
    """The table."""
    s = report.settings
    locked = sum(report.locked.values())
    lines = [
        f"smart lockout under a password spray ({s['backend']}; {machine_line(report.machine)})",
        f"  {s['attempts']} attempts: {s['rounds']} rounds x {s['users']} users from {len(SPRAY_ADDRESSES)} addresses",
        f"  locking rounds 1-{LOCKING_ROUNDS}:      {dict(report.locking)}",
        f"  locked rounds:                {dict(report.locked)} in {report.locked_wall_s:.1f} s "
        f"({locked / max(report.locked_wall_s, 1e-9):.0f} attempts/s)",
        f"  users from 127.0.0.1 (locked): {dict(report.home_after)}",
        f"  right password from a spray address: {dict(report.spray_right_password)}",
        f"  server CPU per refused attempt: {report.cpu_ms_per_refusal():.2f} ms "
        f"(one argon2 verify: {report.argon2_ms:.1f} ms)",
    ]
    lines += [f"  {'PASS' if ok else 'FAIL'}  {name}" for name, ok in report.checks().items()]
    return "\n".join(lines)


def setup(home: Path, users: int, duration: int) -> Directory:
    """Tenant, API, consented public client, users; the tenant's lockout duration."""
    from tenantry.app import build_services
    from tenantry.config import Settings
    from tenantry.server.tls import ensure_dev_certificates

    password = "Bench-" + secrets.token_urlsafe(12) + "-9a"
    services = build_services(Settings(home=home))
    try:
        tenant = services.directory.create_tenant("Spray", [DOMAIN])
        apps = services.apps
        api = apps.create_app(tenant.id, "lockout-bench-api", identifier_uris=(RESOURCE,))
        apps.add_scope(api, "Bench.Access", "User", "Access the bench API")
        client = apps.create_app(
            tenant.id, "spray-client", redirect_uris=(("public", "http://localhost"),), public_client=True
        )
        apps.admin_consent(apps.add_permission(client, api.app_id, "Bench.Access", "Scope"))
        names = tuple(f"user{i}@{DOMAIN}" for i in range(users))
        for i, name in enumerate(names):
            services.users.create_user(tenant.id, name, password, f"Spray User {i}")
        services.lockout.set_policy(tenant.id, duration_seconds=duration)
    finally:
        services.store.engine.dispose()
    ensure_dev_certificates(home, (HOST,))
    return Directory(tenant.id, client.app_id, names, password)


class Client:
    """One keep-alive HTTPS connection whose socket is bound to `address`."""

    def __init__(self, port: int, cafile: Path, address: str) -> None:
        self._args = (HOST, port)
        self._context = ssl.create_default_context(cafile=str(cafile))
        self._address = address
        self._conn: http.client.HTTPSConnection | None = None

    def ropc(self, directory: Directory, username: str, password: str) -> int:
        """0 for a token, else the AADSTS code."""
        body = urllib.parse.urlencode(
            {
                "grant_type": "password",
                "client_id": directory.client_id,
                "username": username,
                "password": password,
                "scope": SCOPE,
            }
        )
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPSConnection(
                    *self._args, context=self._context, timeout=60, source_address=(self._address, 0)
                )
            try:
                self._conn.request("POST", f"/{directory.tenant_id}/oauth2/v2.0/token", body, _FORM)
                reply = self._conn.getresponse()
                data = reply.read()
            except (OSError, http.client.HTTPException):
                self._conn.close()
                self._conn = None
                if attempt:
                    raise
                continue
            return 0 if reply.status == 200 else int(json.loads(data)["error_codes"][0])
        raise AssertionError("unreachable")


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def spray(clients: list[Client], directory: Directory, rounds: range) -> Counter[int]:
    """Round r: `Spray-r` against every user, attempt k of the round from address k mod 20 (one thread per
    address, each working through its own attempts in order)."""
    users = directory.usernames
    codes: Counter[int] = Counter()
    lock = threading.Lock()

    def work(index: int) -> None:
        mine: Counter[int] = Counter()
        for r in rounds:
            for k in range(index, len(users), len(clients)):
                mine[clients[index].ropc(directory, users[(k + r) % len(users)], f"Spray-{r}-Passw0rd!")] += 1
        with lock:
            codes.update(mine)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def argon2_cpu_ms() -> float:
    """The CPU of one argon2 verify at Tenantry's parameters (median of 20)."""
    from tenantry.passwords.hashing import PasswordHashing

    hashing = PasswordHashing()
    encoded = hashing.hash("bench-password")
    samples = []
    for _ in range(20):
        began = time.thread_time()
        hashing.verify(encoded, "bench-password")
        samples.append(time.thread_time() - began)
    return 1000 * sorted(samples)[len(samples) // 2]


def run(report: Report, args: Any, run_dir: Path) -> None:
    """Set up, start the server, spray, check."""
    home = tenantry_home(run_dir)
    if args.redis:
        os.environ["TENANTRY_REDIS_URL"] = args.redis
        os.environ["TENANTRY_REDIS_KEY_PREFIX"] = f"tenantry-bench-{uuid.uuid4().hex[:8]}:"
    say(f"creating {args.users} users")
    directory = setup(home, args.users, args.duration)
    with tenantry_server(home, run_dir) as (proc, port):
        cafile = home / "tls" / "ca.pem"
        home_client = Client(port, cafile, HOME_ADDRESS)
        say("every user signs in once from 127.0.0.1")
        report.familiar = Counter(home_client.ropc(directory, u, directory.password) for u in directory.usernames)
        clients = [Client(port, cafile, address) for address in SPRAY_ADDRESSES]
        say(f"spraying rounds 1-{LOCKING_ROUNDS} (each attempt verifies a password)")
        report.locking = spray(clients, directory, range(LOCKING_ROUNDS))
        say(f"spraying rounds {LOCKING_ROUNDS + 1}-{args.rounds} (every user is locked)")
        before = CpuSample.read(proc.pid)
        report.locked = spray(clients, directory, range(LOCKING_ROUNDS, args.rounds))
        used = before.until(CpuSample.read(proc.pid))
        report.locked_wall_s, report.locked_server_cpu_s = used.wall_s, used.server_s
        say("legitimate sign-ins from 127.0.0.1, and the right password from a spray address")
        report.home_after = Counter(home_client.ropc(directory, u, directory.password) for u in directory.usernames)
        report.spray_right_password = Counter(
            clients[0].ropc(directory, u, directory.password) for u in directory.usernames
        )
    if args.redis:
        _forget_redis_keys(args.redis, os.environ["TENANTRY_REDIS_KEY_PREFIX"])


def _forget_redis_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        names = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if names:
            client.delete(*names)
    finally:
        client.close()


def main(argv: list[str] | None = None) -> int:
    """Run the spray; 0 when every check passed."""
    parser = new_parser(__doc__)
    parser.add_argument("--users", type=int, default=100, help="users sprayed (default 100)")
    parser.add_argument("--rounds", type=int, default=100, help="passwords tried per user (default 100)")
    parser.add_argument("--duration", type=int, default=600, help="the tenant's lockout duration, s (default 600)")
    parser.add_argument("--redis", metavar="URL", help="keep lockout state in this Redis (default: the database)")
    add_output_args(parser)
    args = parser.parse_args(argv)
    settings = {
        "users": args.users,
        "rounds": args.rounds,
        "attempts": args.users * args.rounds,
        "addresses": len(SPRAY_ADDRESSES),
        "lockout_duration_s": args.duration,
        "backend": f"redis {args.redis}" if args.redis else "database (SQLite)",
    }
    report = Report(settings, machine_info())
    report.argon2_ms = argon2_cpu_ms()
    run_dir = new_run_dir("lockout-")
    failed = True
    try:
        run(report, args, run_dir)
        failed = not all(report.checks().values())
    finally:
        close_run_dir(run_dir, args.keep or failed)
    emit(args.json, report.to_json, lambda: render(report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
