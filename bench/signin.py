"""Benchmark of user sign-in: ROPC logins and authorization-code round trips, beside the argon2 ceiling.

What it does (bench/README.md, "Sign-in benchmark", says more, and how to read the output):

1. measures this machine's argon2id verify rate at Tenantry's parameters (`tenantry.passwords.hashing`,
   m=19 MiB, t=2, p=1, argon2-cffi) with 1 thread and with one thread per core: every password login pays
   one verify, so no password sign-in on this machine can beat this figure;
2. sets up, in-process with `build_services`, a tenant, an API `api://bench-api` with the delegated scope
   `Bench.Access`, a public client (redirect URI `http://localhost`, public client flows allowed) holding
   admin consent for it, and a few users; starts one Tenantry process (`python -m tenantry serve`, HTTPS,
   SQLite in a temporary TENANTRY_HOME under bench/.work/);
3. ROPC: loads `POST /{tenant}/oauth2/v2.0/token` with `grant_type=password` for
   `openid profile offline_access api://bench-api/Bench.Access` with wrk (bench/form_posts.lua, keep-alive
   HTTPS, users in turn), while a probe thread times a request answered on the server's event loop, which
   shows whether argon2 blocks the loop;
4. full authorization-code round trips: Python clients (threads, one `requests.Session` each, keep-alive
   HTTPS, cookies cleared before each trip) do GET /authorize (PKCE S256, state, nonce) → username page →
   password page → "Stay signed in?" → redirect with the code → POST /token with the code_verifier;
5. SSO round trips: the same clients, signed in once, then GET /authorize → code at once → POST /token;
6. prints a table (or `--json`) with PASS/FAIL against the target: one process ≥ 40 ROPC logins/s.

Exit status: 0 when the ROPC rate was measured (target met or not: this is a measurement, not a test), 1 when
it could not be.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import secrets
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import requests
from harness.machine import BUSY_MACHINE_CORES, CpuSample, CpuUse, in_threads, machine_info, rss_of
from harness.profile import profile_lines, record, summarise_profile
from harness.report import (
    BENCH_DIR,
    MB,
    add_output_args,
    close_run_dir,
    emit,
    machine_line,
    new_parser,
    new_run_dir,
    say,
    target_lines,
    trailer_lines,
)
from harness.server import HOST, jwt_part, post_form, tenantry_home, tenantry_server, tenantry_version
from harness.wrk import WrkShape, latencies_ms, load_tools, run_wrk

LUA_SCRIPT = BENCH_DIR / "form_posts.lua"

DOMAIN = "bench.example.com"
RESOURCE = "api://bench-api"
API_SCOPE = "Bench.Access"
SCOPES = f"openid profile offline_access {RESOURCE}/{API_SCOPE}"
REDIRECT_URI = "http://localhost:8400"  # MSAL's loopback listener; `http://localhost` on the public platform
PROBE_PATH = "/bench/event-loop-probe"  # unknown path: the 404 is answered on the event loop, no thread hop
PROBE_INTERVAL_S = 0.05
MAX_STEPS = 12

TARGET_ROPC_PER_S = 40.0


class BenchError(Exception):
    """One failed operation; the message (without ids) is counted by kind."""


# --------------------------------------------------------------------------------------------- results


@dataclass
class FlowResult:
    """One measured run of one flow: operations (logins or round trips), latency, errors, CPU."""

    ops: int
    duration_s: float
    errors: int
    requests: int
    concurrency: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    error_kinds: dict[str, int] = field(default_factory=dict)
    cpu: CpuUse | None = None

    @property
    def per_s(self) -> float:
        """Successful operations per second of the measured run."""
        return self.ops / self.duration_s if self.duration_s else 0.0

    @property
    def requests_per_op(self) -> float:
        """HTTP requests per operation (failed ones included)."""
        done = self.ops + self.errors
        return self.requests / done if done else 0.0

    def cpu_ms_per_op(self, who: str) -> float | None:
        """CPU ms per successful operation spent by the `server` or the `client` (load generator)."""
        if self.cpu is None or not self.ops:
            return None
        return 1000 * (self.cpu.server_s if who == "server" else self.cpu.client_s) / self.ops

    def to_json(self) -> dict[str, Any]:
        """The figures as plain JSON values."""
        return {
            **asdict(self),
            "per_s": self.per_s,
            "requests_per_op": self.requests_per_op,
            "server_cpu_ms_per_op": self.cpu_ms_per_op("server"),
            "client_cpu_ms_per_op": self.cpu_ms_per_op("client"),
        }


@dataclass
class ProbeResult:
    """Latency of requests answered on the server's event loop while the ROPC load ran."""

    samples: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float


@dataclass
class Flow:
    """One flow of the report: its label, measured run (or why none), and incidents in other runs."""

    label: str
    result: FlowResult | None = None
    error: str | None = None
    incidents: list[str] = field(default_factory=list)

    def check(self, phase: str, run: FlowResult) -> None:
        """Record failures, or a run that did nothing, in a run other than the measured one."""
        if run.ops == 0:
            self.incidents.append(f"{phase}: nothing succeeded in {run.duration_s:.0f} s ({describe_errors(run)})")
        elif run.errors:
            self.incidents.append(f"{phase}: {run.errors} failures ({describe_errors(run)})")

    def to_json(self) -> dict[str, Any]:
        """The flow as JSON."""
        return {
            "label": self.label,
            "error": self.error,
            "incidents": self.incidents,
            "result": None if self.result is None else self.result.to_json(),
        }


def describe_errors(run: FlowResult) -> str:
    """The most frequent kinds of failure of a run."""
    kinds = sorted(run.error_kinds.items(), key=lambda kv: -kv[1])[:3]
    return "; ".join(f"{n}× {kind}" for kind, n in kinds) or "no failure recorded"


@dataclass
class Report:
    """Everything one run measured."""

    machine: dict[str, Any]
    settings: dict[str, Any]
    argon2: Argon2Ceiling | None = None
    ropc: Flow = field(default_factory=lambda: Flow("ROPC logins (password grant)"))
    auth_code: Flow = field(default_factory=lambda: Flow("full auth-code round trips"))
    sso: Flow = field(default_factory=lambda: Flow("SSO round trips (cookie set)"))
    probe: ProbeResult | None = None
    version: str = ""
    rss_bytes: int | None = None
    peak_rss_bytes: int | None = None
    profiles: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def flows(self) -> tuple[Flow, Flow, Flow]:
        """The three flows, in the order they run."""
        return self.ropc, self.auth_code, self.sso

    def argon2_share(self, flow: Flow) -> float | None:
        """The part of the server's CPU per operation that its one argon2 verify accounts for."""
        server = flow.result.cpu_ms_per_op("server") if flow.result else None
        if not server or self.argon2 is None or flow is self.sso:
            return None
        return self.argon2.cpu_ms_per_verify / server

    def event_loop_verdict(self) -> str | None:
        """Whether argon2 runs off the event loop, from the probe and from the cores the server used.

        On the loop, a verify would hold every other request: with logins queued all the time, a probe would
        wait half a verify on average. Off the loop (in worker threads, argon2-cffi releases the GIL) the probe
        only waits for a time slice, and the verifies of several logins use more than one core.
        """
        run, probe, ceiling = self.ropc.result, self.probe, self.argon2
        if run is None or run.cpu is None or probe is None or ceiling is None or not probe.samples:
            return None
        cores = run.cpu.server_s / run.cpu.wall_s if run.cpu.wall_s else 0.0
        if run.cpu.other_cores > BUSY_MACHINE_CORES:
            return (
                f"inconclusive: other processes took {run.cpu.other_cores:.2f} cores during the run (the server "
                f"{cores:.2f}); run again on a quiet machine"
            )
        if probe.p50_ms >= ceiling.cpu_ms_per_verify / 3:
            return "probes wait about as long as an argon2 verify: something blocks the event loop (see --profile)"
        if cores > 1.1:
            return f"argon2 runs off the event loop, several logins at a time: the server used {cores:.2f} cores"
        return f"the event loop stays free, but the server used only {cores:.2f} cores: check its thread pool"

    def targets(self) -> list[dict[str, Any]]:
        """The target with its verdict: PASS, FAIL or n/a (not measured)."""
        run = self.ropc.result
        ok: bool | None = None
        detail = "not measured"
        if run is not None:
            ok = run.per_s >= TARGET_ROPC_PER_S and run.errors == 0
            detail = f"{run.per_s:.1f} logins/s"
            if run.errors:
                detail += f", {run.errors} errors: the run is not clean"
        target = f"one Tenantry process ≥ {TARGET_ROPC_PER_S:.0f} ROPC logins/s, no errors"
        return [{"target": target, "ok": ok, "detail": detail}]

    def warnings(self) -> list[str]:
        """What makes figures doubtful: failures in a run, or other work competing for the CPU during it."""
        found = []
        for flow in self.flows():
            found += [f"{flow.label}, {incident}" for incident in flow.incidents]
            run = flow.result
            if run is None:
                continue
            if run.errors:
                found.append(f"{flow.label}: {run.errors} failures in the measured run ({describe_errors(run)})")
            if run.cpu is not None and run.cpu.other_cores > BUSY_MACHINE_CORES:
                found.append(
                    f"other processes used {run.cpu.other_cores:.2f} cores on average during the {flow.label} "
                    "run: its figures are depressed; compare server CPU ms/op, or run again on a quiet machine"
                )
        if self.argon2 is not None and self.argon2.other_cores > BUSY_MACHINE_CORES:
            found.append(
                f"other processes used {self.argon2.other_cores:.2f} cores on average while the argon2 ceiling "
                "was measured: its rates are depressed (its CPU ms per verify far less)"
            )
        if self.probe is not None and self.probe.errors:
            found.append(f"{self.probe.errors} event-loop probe requests failed")
        return found

    def to_json(self) -> dict[str, Any]:
        """The whole report as JSON."""
        return {
            "warnings": self.warnings(),
            "machine": self.machine,
            "settings": self.settings,
            "tenantry_version": self.version,
            "argon2": None if self.argon2 is None else {**asdict(self.argon2), "best_per_s": self.argon2.best},
            "ropc": self.ropc.to_json(),
            "auth_code": self.auth_code.to_json(),
            "sso": self.sso.to_json(),
            "argon2_share_of_server_cpu": {
                "ropc": self.argon2_share(self.ropc),
                "auth_code": self.argon2_share(self.auth_code),
            },
            "event_loop_probe": None if self.probe is None else asdict(self.probe),
            "event_loop_verdict": self.event_loop_verdict(),
            "server_rss_bytes": self.rss_bytes,
            "server_peak_rss_bytes": self.peak_rss_bytes,
            "targets": self.targets(),
            "profiles": self.profiles,
            "notes": self.notes,
        }


def percentile(sorted_ms: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_ms:
        return 0.0
    rank = max(1, min(len(sorted_ms), round(pct / 100 * len(sorted_ms) + 0.5)))
    return sorted_ms[rank - 1]


# --------------------------------------------------------------------------------------------- argon2


@dataclass
class Argon2Ceiling:
    """The verify rate per thread count, the CPU one verify takes, and how busy the rest of the machine was."""

    per_s: dict[str, float]
    cpu_ms_per_verify: float
    other_cores: float

    @property
    def best(self) -> float:
        """The highest verify rate measured."""
        return max(self.per_s.values(), default=0.0)


def argon2_rate(threads: int, seconds: float) -> tuple[float, float, int]:
    """(verifies per second, CPU seconds, verifies) over `seconds` with `threads` threads, at Tenantry's
    parameters; the CPU is each thread's own, so it stays right when other work shares the cores."""
    from tenantry.passwords.hashing import PasswordHashing

    hashing = PasswordHashing()
    password = "Bench-" + secrets.token_urlsafe(12)
    encoded = hashing.hash(password)
    counts, cpu = [0] * threads, [0.0] * threads

    def work(index: int, deadline: float) -> None:
        began, done = time.thread_time(), 0
        while time.perf_counter() < deadline:
            if not hashing.verify(encoded, password):
                raise RuntimeError("argon2 verify failed on a fresh hash")
            done += 1
        counts[index], cpu[index] = done, time.thread_time() - began

    wall = in_threads(threads, seconds, work)
    return sum(counts) / wall, sum(cpu), sum(counts)


def measure_argon2(seconds: float, cores: int) -> Argon2Ceiling:
    """The verify rate with 1 thread and with one thread per usable core (at least 2)."""
    argon2_rate(1, 0.3)  # warm-up
    before = CpuSample.read(os.getpid())
    rate_1, cpu_1, verifies_1 = argon2_rate(1, seconds)
    threads = max(2, cores)
    rate_n, cpu_n, verifies_n = argon2_rate(threads, seconds)
    after = CpuSample.read(os.getpid())
    other = max(0.0, (after.machine_busy_s - before.machine_busy_s) - (after.own_s - before.own_s))
    return Argon2Ceiling(
        {"threads_1": rate_1, f"threads_{threads}": rate_n},
        1000 * (cpu_1 + cpu_n) / max(1, verifies_1 + verifies_n),
        other / (after.at - before.at),
    )


# --------------------------------------------------------------------------------------------- set-up


@dataclass(frozen=True)
class BenchData:
    """What the set-up created and the clients need."""

    tenant_id: str
    client_id: str
    usernames: tuple[str, ...]
    password: str


def setup_tenantry(home: Path, users: int) -> BenchData:
    """Tenant, API with a user-consentable scope, public client with admin consent for it, users."""
    from tenantry.app import build_services
    from tenantry.config import Settings
    from tenantry.server.tls import ensure_dev_certificates

    password = "Bench-" + secrets.token_urlsafe(12) + "-9a"
    services = build_services(Settings(home=home))
    try:
        tenant = services.directory.create_tenant("Bench", [DOMAIN])
        api = services.apps.create_app(tenant.id, "bench-api", identifier_uris=(RESOURCE,))
        services.apps.add_scope(api, API_SCOPE, "User", "Access the bench API")
        client = services.apps.create_app(
            tenant.id, "bench-public-client", redirect_uris=(("public", "http://localhost"),), public_client=True
        )
        client = services.apps.add_permission(client, api.app_id, API_SCOPE, "Scope")
        services.apps.admin_consent(client)
        names = tuple(f"user{i}@{DOMAIN}" for i in range(users))
        for i, name in enumerate(names):
            services.users.create_user(tenant.id, name, password, f"Bench User {i}")
    finally:
        services.store.engine.dispose()
    ensure_dev_certificates(home, (HOST,))
    return BenchData(tenant.id, client.app_id, names, password)


def ropc_body(data: BenchData, username: str) -> str:
    """The form MSAL's `acquire_token_by_username_password` posts."""
    return urllib.parse.urlencode(
        {
            "client_id": data.client_id,
            "grant_type": "password",
            "username": username,
            "password": data.password,
            "scope": SCOPES,
            "client_info": "1",
        }
    )


def check_tokens(payload: dict[str, Any], nonce: str | None = None) -> None:
    """A delegated token response: access token with the API scope, id token (with the nonce), refresh token."""
    token = payload.get("access_token")
    if not isinstance(token, str) or token.count(".") != 2:
        raise BenchError("no JWT access_token in the token response")
    scp = str(jwt_part(token, 1).get("scp", "")).split()
    if API_SCOPE not in scp:
        raise BenchError(f"the access token's scp lacks {API_SCOPE}: {scp}")
    if not payload.get("refresh_token") or not isinstance(payload.get("id_token"), str):
        raise BenchError("no refresh_token or id_token although offline_access and openid were asked for")
    if nonce is not None and jwt_part(payload["id_token"], 1).get("nonce") != nonce:
        raise BenchError("the id_token's nonce is not the one sent to /authorize")


def first_ropc_login(port: int, path: str, body: str, cafile: Path) -> None:
    """One ROPC login on a verified TLS connection; raises with the reply when it fails."""
    status, data = post_form(port, path, body, cafile)
    if status != 200:
        raise RuntimeError(f"the first ROPC login answered {status}: {data[:400]!r}")
    check_tokens(json.loads(data))


# --------------------------------------------------------------------------------------------- browserless client


class _Forms(HTMLParser):
    """Every form of a page: action → {input name: value}."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), {}))
        elif tag == "input" and self.forms and "name" in a:
            self.forms[-1][1][a["name"]] = a.get("value", "")


def forms_of(html: str) -> list[tuple[str, dict[str, str]]]:
    """(action, fields) of each form of a page, hidden flow and CSRF fields included."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def aadsts_of(text: str) -> str:
    """The first `AADSTSnnnnn` in a page or error body, for counting failures by kind."""
    start = text.find("AADSTS")
    return text[start : start + 11] if start >= 0 else "no AADSTS code"


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) as RFC 7636 §4.1–4.2 define them."""
    verifier = base64.urlsafe_b64encode(os.urandom(48)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class SignInClient:
    """One browser without a browser: a cookie jar and a keep-alive connection pool (`requests.Session`),
    redirects followed by hand, forms filled from the pages (flow handle and CSRF token included)."""

    def __init__(self, base: str, cafile: Path, data: BenchData, username: str) -> None:
        self.base = base
        self.data = data
        self.username = username
        self.http = requests.Session()
        self.http.verify = str(cafile)
        self.http.trust_env = False  # no proxy, and REQUESTS_CA_BUNDLE must not replace the bench CA
        self.requests = 0

    def _get(self, url: str, params: dict[str, str] | None = None) -> requests.Response:
        self.requests += 1
        return self.http.get(url, params=params, allow_redirects=False, timeout=30)

    def _post(self, url: str, form: dict[str, str]) -> requests.Response:
        self.requests += 1
        return self.http.post(url, data=form, allow_redirects=False, timeout=30)

    def full_round_trip(self) -> None:
        """A new browser's sign-in: no cookies, so every page is shown and the password checked."""
        self.http.cookies.clear()
        self._round_trip(interactive=True)

    def sso_round_trip(self) -> None:
        """A signed-in browser: /authorize answers with a code at once."""
        self._round_trip(interactive=False)

    def _round_trip(self, interactive: bool) -> None:
        verifier, challenge = pkce_pair()
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        params = {
            "client_id": self.data.client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPES,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "client_info": "1",
        }
        start = self._get(f"{self.base}/{self.data.tenant_id}/oauth2/v2.0/authorize", params)
        landing = self._through_pages(start, interactive)
        code = self._code_from(landing, state)
        self._redeem(code, verifier, nonce)

    def _through_pages(self, response: requests.Response, interactive: bool) -> str:
        """Follow redirects on the server and fill the sign-in pages; returns the redirect to the app."""
        for _ in range(MAX_STEPS):
            if response.status_code in (302, 303):
                target = urllib.parse.urljoin(response.url, response.headers["location"])
                if target.startswith(REDIRECT_URI):
                    return target
                if not target.startswith(self.base):
                    raise BenchError(f"redirected off the server to {target.split('?')[0]}")
                if not interactive:
                    raise BenchError(f"SSO round trip sent to {urllib.parse.urlsplit(target).path}")
                response = self._get(target)
            elif response.status_code == 200:
                response = self._submit(response)
            else:
                path = urllib.parse.urlsplit(response.url).path
                raise BenchError(f"{path} answered {response.status_code} ({aadsts_of(response.text)})")
        raise BenchError(f"no redirect to the app after {MAX_STEPS} steps")

    def _submit(self, page: requests.Response) -> requests.Response:
        """Fill the page's form: username, password, or "Stay signed in? Yes" (with its hidden fields)."""
        answers = {
            "/login": ("username", {"username": self.username, "action": "next"}),
            "/login/password": ("password", {"password": self.data.password, "action": "sign_in"}),
            "/kmsi": ("csrf_token", {"stay": "yes"}),
        }
        forms = forms_of(page.text)
        for action, fields in forms:
            needed, answer = answers.get(action, ("", {}))
            if needed and needed in fields:  # on /login, the username form, not the "continue as" tile
                return self._post(urllib.parse.urljoin(self.base, action), {**fields, **answer})
        if any(action == "/consent" for action, _ in forms):
            raise BenchError("the consent page was shown: admin consent should have covered the scopes")
        path = urllib.parse.urlsplit(page.url).path
        raise BenchError(f"unexpected page at {path} ({aadsts_of(page.text)})")

    def _code_from(self, landing: str, state: str) -> str:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(landing).query))
        if "error" in query:
            raise BenchError(f"{query['error']} ({aadsts_of(query.get('error_description', ''))}) at the redirect URI")
        if query.get("state") != state or not query.get("code"):
            raise BenchError("the redirect to the app lacks the code or the state sent")
        return query["code"]

    def _redeem(self, code: str, verifier: str, nonce: str) -> None:
        reply = self._post(
            f"{self.base}/{self.data.tenant_id}/oauth2/v2.0/token",
            {
                "client_id": self.data.client_id,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
                "scope": SCOPES,
                "client_info": "1",
            },
        )
        if reply.status_code != 200:
            raise BenchError(f"code redemption answered {reply.status_code} ({aadsts_of(reply.text)})")
        check_tokens(reply.json(), nonce)


# --------------------------------------------------------------------------------------------- load


def drive(
    clients: Sequence[Callable[[], None]], requests_made: Callable[[], int], seconds: float, pid: int
) -> FlowResult:
    """Run each client's operation in its own thread, back to back, for `seconds`; time every operation."""
    latencies: list[list[float]] = [[] for _ in clients]
    kinds: list[Counter[str]] = [Counter() for _ in clients]

    def work(index: int, deadline: float) -> None:
        operation = clients[index]
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                operation()
            except (BenchError, requests.RequestException, ValueError, KeyError) as exc:
                kinds[index][str(exc)[:120] or type(exc).__name__] += 1
                continue
            latencies[index].append(1000 * (time.perf_counter() - began))

    requests_before = requests_made()
    before = CpuSample.read(pid)
    duration = in_threads(len(clients), seconds, work, daemon=True)
    cpu = before.until(CpuSample.read(pid))
    every = sorted(ms for per_client in latencies for ms in per_client)
    errors: Counter[str] = sum(kinds, Counter())
    return FlowResult(
        ops=len(every),
        duration_s=duration,
        errors=sum(errors.values()),
        requests=requests_made() - requests_before,
        concurrency=len(clients),
        p50_ms=percentile(every, 50),
        p90_ms=percentile(every, 90),
        p99_ms=percentile(every, 99),
        max_ms=every[-1] if every else 0.0,
        mean_ms=sum(every) / len(every) if every else 0.0,
        error_kinds=dict(errors),
        cpu=cpu,
    )


def wrk_ropc(
    wrk: str, url: str, bodies: Sequence[str], shape: WrkShape, seconds: int, log: Path, pid: int
) -> FlowResult:
    """One wrk run of ROPC logins; the Lua script's BENCH_RESULT line gives the counts and percentiles."""
    raw, cpu = run_wrk(wrk, LUA_SCRIPT, url, {"BENCH_BODIES": "\n".join(bodies)}, shape, seconds, log, pid)
    kinds = {
        f"non-2xx answers (last status {raw['last_bad_status']})": raw["non2xx"],
        "2xx without an access_token": raw["no_token"],
        "socket errors": raw["connect_errors"] + raw["read_errors"] + raw["write_errors"],
        f"timeouts (> {shape.timeout_s} s)": raw["timeouts"],
    }
    kinds = {kind: n for kind, n in kinds.items() if n}
    return FlowResult(
        ops=raw["tokens"],
        duration_s=raw["duration_us"] / 1e6,
        errors=sum(kinds.values()),
        requests=raw["requests"],
        concurrency=shape.connections,
        **latencies_ms(raw),
        error_kinds=kinds,
        cpu=cpu,
    )


class LoopProbe(threading.Thread):
    """Times, over its own keep-alive connection, a GET the server answers on its event loop (a 404): if a
    login's argon2 ran on the loop, these would wait for it."""

    def __init__(self, port: int, cafile: Path) -> None:
        super().__init__(daemon=True)
        self.port, self.cafile = port, cafile
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.errors = 0

    def run(self) -> None:
        """Probe until stopped, one request every PROBE_INTERVAL_S."""
        context = ssl.create_default_context(cafile=str(self.cafile))
        conn = http.client.HTTPSConnection(HOST, self.port, context=context, timeout=30)
        while not self.stop.is_set():
            began = time.perf_counter()
            try:
                conn.request("GET", PROBE_PATH)
                reply = conn.getresponse()
                reply.read()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
                conn = http.client.HTTPSConnection(HOST, self.port, context=context, timeout=30)
            else:
                if reply.status == 404:
                    self.latencies.append(1000 * (time.perf_counter() - began))
                else:
                    self.errors += 1
            self.stop.wait(PROBE_INTERVAL_S)
        conn.close()

    def result(self) -> ProbeResult:
        """Percentiles of the probes so far."""
        ordered = sorted(self.latencies)
        return ProbeResult(
            len(ordered),
            self.errors,
            percentile(ordered, 50),
            percentile(ordered, 99),
            ordered[-1] if ordered else 0.0,
        )


# --------------------------------------------------------------------------------------------- the runs


@dataclass(frozen=True)
class Plan:
    """Durations and concurrency of every run."""

    warmup_s: int
    duration_s: int
    wrk: WrkShape
    clients: int
    users: int


def measured(flow: Flow, plan: Plan, run: Callable[[int], FlowResult], probe: LoopProbe | None = None) -> None:
    """Warm up, then measure one flow (with `probe` running during the measured run); `run(seconds)` does one run."""
    if plan.warmup_s:
        say(f"{flow.label}: warm-up {plan.warmup_s} s")
        flow.check("warm-up", run(plan.warmup_s))
    say(f"{flow.label}: measuring {plan.duration_s} s")
    if probe is not None:
        probe.start()
    try:
        flow.result = result = run(plan.duration_s)
    finally:
        if probe is not None:
            probe.stop.set()
            probe.join(timeout=5)
    say(
        f"{flow.label}: {result.per_s:.1f}/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"{result.errors} errors"
    )


def bench_ropc(report: Report, plan: Plan, wrk: str, server: Server) -> None:
    """ROPC logins with wrk, with the event-loop probe running during the measured run."""
    bodies = [ropc_body(server.data, name) for name in server.data.usernames]
    url = f"{server.base}/{server.data.tenant_id}/oauth2/v2.0/token"
    log = server.run_dir / "ropc-wrk.log"
    probe = LoopProbe(server.port, server.cafile)
    measured(report.ropc, plan, lambda s: wrk_ropc(wrk, url, bodies, plan.wrk, s, log, server.pid), probe)
    report.probe = probe.result()


def sign_in_clients(server: Server, count: int) -> list[SignInClient]:
    """`count` browsers, each for its own user (users reused when there are fewer)."""
    names = server.data.usernames
    return [SignInClient(server.base, server.cafile, server.data, names[i % len(names)]) for i in range(count)]


def bench_round_trips(report: Report, plan: Plan, server: Server) -> None:
    """Full authorization-code round trips, then SSO round trips, with `plan.clients` Python clients."""
    clients = sign_in_clients(server, plan.clients)

    def requests_made() -> int:
        return sum(c.requests for c in clients)

    def full(seconds: int) -> FlowResult:
        return drive([c.full_round_trip for c in clients], requests_made, seconds, server.pid)

    def sso(seconds: int) -> FlowResult:
        return drive([c.sso_round_trip for c in clients], requests_made, seconds, server.pid)

    for client in clients:
        client.full_round_trip()  # a check of the whole flow; it leaves each client signed in
    say("auth code: every client signed in once through the pages and redeemed its code")
    measured(report.auth_code, plan, full)
    for client in clients:
        client.full_round_trip()  # signed in again: the SSO run starts from a live session
    measured(report.sso, plan, sso)


@dataclass(frozen=True)
class Server:
    """The running Tenantry process and what the clients need to reach it."""

    pid: int
    port: int
    base: str
    cafile: Path
    data: BenchData
    run_dir: Path


def profile_runs(report: Report, plan: Plan, wrk: str, server: Server, py_spy: str) -> None:
    """Extra, unmeasured runs (ROPC, full round trips, SSO round trips) with py-spy sampling the server; the
    full round trips leave each client signed in for the SSO run."""
    bodies = [ropc_body(server.data, name) for name in server.data.usernames]
    url = f"{server.base}/{server.data.tenant_id}/oauth2/v2.0/token"
    clients = sign_in_clients(server, plan.clients)

    def requests_made() -> int:
        return sum(c.requests for c in clients)

    runs: dict[str, Callable[[int], FlowResult]] = {
        "ropc": lambda s: wrk_ropc(wrk, url, bodies, plan.wrk, s, server.run_dir / "ropc-wrk.log", server.pid),
        "auth_code": lambda s: drive([c.full_round_trip for c in clients], requests_made, s, server.pid),
        "sso": lambda s: drive([c.sso_round_trip for c in clients], requests_made, s, server.pid),
    }
    for name, run in runs.items():
        raw = server.run_dir / f"profile-{name}.txt"
        say(f"profiling {name} for {plan.duration_s} s with py-spy (not part of the figures)")
        under, spy_err = record(py_spy, server.pid, plan.duration_s, raw, lambda run=run: run(plan.duration_s))
        if spy_err is not None:
            report.notes.append(f"profile of {name} not taken: py-spy said {spy_err[-300:]}")
            continue
        summary = summarise_profile(raw, 25)
        report.profiles[name] = {**summary, "raw_file": str(raw), "per_s_under_profiler": under.per_s}


def bench_server(report: Report, plan: Plan, wrk: str, run_dir: Path, py_spy: str | None) -> None:
    """Set up, start and load one Tenantry process."""
    home = tenantry_home(run_dir)
    say(f"setting up a tenant, an API, a public client and {plan.users} users (argon2 hashes)")
    data = setup_tenantry(home, plan.users)
    report.version = tenantry_version()
    with tenantry_server(home, run_dir) as (proc, port):
        server = Server(proc.pid, port, f"https://{HOST}:{port}", home / "tls" / "ca.pem", data, run_dir)
        token_path = f"/{data.tenant_id}/oauth2/v2.0/token"
        first_ropc_login(port, token_path, ropc_body(data, data.usernames[0]), server.cafile)
        say("a ROPC login returned access, id and refresh tokens with the API scope")
        try:
            bench_ropc(report, plan, wrk, server)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            report.ropc.error = str(exc)
            say(f"ROPC: could not be measured: {exc}")
        try:
            bench_round_trips(report, plan, server)
        except (BenchError, RuntimeError, OSError, requests.RequestException) as exc:
            for flow in (report.auth_code, report.sso):
                if flow.result is None and flow.error is None:
                    flow.error = str(exc)
            say(f"round trips: could not be measured: {exc}")
        report.rss_bytes, report.peak_rss_bytes = rss_of(proc.pid)
        if py_spy is not None:
            profile_runs(report, plan, wrk, server, py_spy)


# --------------------------------------------------------------------------------------------- output


def flow_row(report: Report, flow: Flow) -> str:
    """One line of the table."""
    run = flow.result
    if run is None:
        return f"{flow.label:<32}not measured: {(flow.error or 'see above').strip().splitlines()[0]}"

    def ms(value: float | None) -> str:
        return "?" if value is None else f"{value:.1f}"

    share = report.argon2_share(flow)
    return (
        f"{flow.label:<32}{run.per_s:>8.1f}{run.p50_ms:>9.1f}{run.p99_ms:>9.1f}{run.errors:>8}{run.concurrency:>6}"
        f"{run.requests_per_op:>8.1f}{ms(run.cpu_ms_per_op('server')):>11}"
        f"{'-' if share is None else f'{100 * share:.0f}%':>8}{ms(run.cpu_ms_per_op('client')):>11}"
    )


def render(report: Report) -> str:
    """The human-readable table."""
    from tenantry.passwords.hashing import MEMORY_KIB, PARALLELISM, TIME_COST

    m, s = report.machine, report.settings
    lines = [
        "Sign-in benchmark: ROPC logins and authorization-code round trips (PKCE), one Tenantry process",
        machine_line(m),
        f"software  tenantry {report.version}, Python {m['python']}, argon2-cffi {m.get('argon2_cffi')}, "
        f"requests {m.get('requests')}, {m.get('wrk', 'wrk: missing')}",
        f"load      {s['warmup_s']} s warm-up, then {s['duration_s']} s measured per flow, {s['users']} users in turn",
        f"          ROPC: wrk {s['wrk_threads']} threads, {s['wrk_connections']} keep-alive HTTPS connections; "
        f"round trips: {s['clients']} Python clients (a requests.Session each)",
        "",
    ]
    if report.argon2 is not None:
        a = report.argon2
        parts = [f"{k.removeprefix('threads_')} thread(s) {v:.1f}/s" for k, v in a.per_s.items()]
        lines += [
            f"argon2id verify ceiling (m={MEMORY_KIB // 1024} MiB, t={TIME_COST}, p={PARALLELISM}): {', '.join(parts)}"
            f"; {a.cpu_ms_per_verify:.1f} CPU ms per verify",
            "",
        ]
    lines += [
        f"{'flow':<32}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'conc':>6}{'req/op':>8}"
        f"{'srv CPU ms':>11}{'argon2':>8}{'client ms':>11}",
        *(flow_row(report, flow) for flow in report.flows()),
        "",
    ]
    best = report.argon2.best if report.argon2 is not None else 0.0
    if report.ropc.result is not None and best:
        lines.append(
            f"ROPC reaches {100 * report.ropc.result.per_s / best:.0f}% of the best argon2 ceiling ({best:.1f}/s)"
        )
    if report.probe is not None:
        p = report.probe
        lines.append(
            f"event loop during the ROPC run: {p.samples} probes (GET of a 404), p50 {p.p50_ms:.1f} ms, "
            f"p99 {p.p99_ms:.1f} ms, max {p.max_ms:.1f} ms"
        )
        lines.append(f"  → {report.event_loop_verdict()}")
    if report.rss_bytes is not None and report.peak_rss_bytes is not None:
        lines.append(
            f"server RSS after the measured runs: {report.rss_bytes / MB:.1f} MB "
            f"(peak {report.peak_rss_bytes / MB:.1f} MB)"
        )
    lines += target_lines(report.targets())
    for name, profile in report.profiles.items():
        heading = (
            f"profile of the server during {name} (py-spy, separate run, {profile['samples']} samples, "
            f"{profile['per_s_under_profiler']:.1f}/s while sampled)"
        )
        lines += profile_lines(heading, profile, 12, 20)
    return "\n".join([*lines, *trailer_lines(report.warnings(), report.notes)])


# --------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options of the sign-in benchmark."""
    parser = new_parser(__doc__)
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per flow (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per flow (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads for ROPC (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections for ROPC (default 8)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent round-trip clients (default 4)")
    parser.add_argument("--users", type=int, default=8, help="users signing in, in turn (default 8)")
    parser.add_argument("--argon2-seconds", type=float, default=3.0, help="seconds per argon2 measurement")
    parser.add_argument("--profile", action="store_true", help="also profile the server with py-spy (extra runs)")
    add_output_args(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run everything that can be measured; 0 when the ROPC rate was measured, 1 otherwise."""
    args = parse_args(argv)
    plan = Plan(args.warmup, args.duration, WrkShape(args.threads, args.connections), args.clients, args.users)
    from importlib.metadata import version

    machine = {**machine_info(), "argon2_cffi": version("argon2-cffi"), "requests": version("requests")}
    settings = {
        "warmup_s": plan.warmup_s,
        "duration_s": plan.duration_s,
        "wrk_threads": plan.wrk.threads,
        "wrk_connections": plan.wrk.connections,
        "clients": plan.clients,
        "users": plan.users,
        "scope": SCOPES,
    }
    report = Report(machine=machine, settings=settings)
    run_dir = new_run_dir("signin-")
    try:
        say(f"measuring the argon2id verify ceiling ({args.argon2_seconds:g} s per setting)")
        report.argon2 = measure_argon2(args.argon2_seconds, machine["usable_cores"])
        wrk, py_spy = load_tools(report.machine, report.notes, args.profile)
        if wrk is None:
            report.ropc.error = "wrk could not be installed"
        else:
            try:
                bench_server(report, plan, wrk, run_dir, py_spy)
            except (RuntimeError, OSError, subprocess.SubprocessError, BenchError) as exc:
                report.ropc.error = report.ropc.error or str(exc)
                say(f"the server could not be measured: {exc}")
    finally:
        keep = args.keep or report.profiles or report.warnings() or report.ropc.result is None
        close_run_dir(run_dir, bool(keep))
    emit(args.json, report.to_json, lambda: render(report))
    return 0 if report.ropc.result is not None else 1


if __name__ == "__main__":
    sys.exit(main())
