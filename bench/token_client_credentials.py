"""Benchmark of the client-credentials token endpoint: Tenantry against node `oidc-provider`, in one run.

What it does (bench/README.md says more, and how to read the output):

1. measures this machine's raw RS256 signing rate (RSA-2048, PKCS#1 v1.5, SHA-256, `cryptography`) with
   one thread and with one thread per core: the ceiling no token server on this machine can beat;
2. starts one Tenantry process (`python -m tenantry serve`, HTTPS, SQLite in a temporary TENANTRY_HOME under
   bench/.work/), creates a tenant, an API (`api://bench-api`) with an app role, and a confidential client
   with a secret and the role granted, and checks that one token request returns an RS256 access token;
3. starts node `oidc-provider` (bench/oidc_provider/server.mjs, installed into bench/.work/node) set up for
   client credentials with RS256 JWT access tokens for one resource, served over HTTPS with the same
   certificate, and checks one token request;
   then loads each server's token endpoint with `wrk` (keep-alive HTTPS connections, counting only 200
   responses that carry an access token): a warm-up each, then the measured time in alternating rounds
   (Tenantry, oidc-provider, oidc-provider, Tenantry, ...), one server loaded at a time, so that a machine
   whose speed drifts during the run (shared virtual machines do) slows both alike; finally reads
   Tenantry's RSS once at least 10,000 tokens were issued;
4. prints a table (or `--json`) with PASS/FAIL against the targets: one Tenantry process ≥ 800 tokens/s,
   at least as fast as oidc-provider, RSS < 150 MB after 10,000 tokens.

It installs what it lacks (`wrk` with apt-get, `oidc-provider` with npm) and, when something cannot be
installed or started, says so and reports what it could measure. Exit status: 0 when Tenantry's token rate
was measured (targets missed or not: this is a measurement, not a test), 1 when it could not be.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from harness.machine import BUSY_MACHINE_CORES, CpuUse, in_threads, machine_info, rss_of
from harness.profile import profile_lines, record, summarise_profile
from harness.report import (
    BENCH_DIR,
    MB,
    WORK_DIR,
    add_output_args,
    close_run_dir,
    emit,
    machine_line,
    new_parser,
    new_run_dir,
    relative,
    say,
    target_lines,
    trailer_lines,
)
from harness.server import (
    HOST,
    free_port,
    jwt_part,
    post_form,
    run_quiet,
    running,
    tail,
    tenantry_home,
    tenantry_server,
    tenantry_version,
    wait_ready,
)
from harness.wrk import latencies_ms, load_tools, run_wrk

NODE_DIR = WORK_DIR / "node"
LUA_SCRIPT = BENCH_DIR / "form_posts.lua"
OIDC_PROVIDER_SRC = BENCH_DIR / "oidc_provider"


RESOURCE = "api://bench-api"
SCOPE = f"{RESOURCE}/.default"
ROLE = "Bench.Read"
NODE_SCOPE = "api:read"
NODE_CLIENT_ID = "bench-client"

TARGET_TOKENS_PER_S = 800.0
TARGET_RATIO = 1.0
TARGET_RSS_BYTES = 150_000_000  # 150 MB, decimal
TARGET_RSS_AFTER_TOKENS = 10_000
TOP_UP_LIMIT_S = 180.0
# What a server that cannot be set up, started or loaded raises; the bench reports it and goes on.
FAILURES = (RuntimeError, OSError, subprocess.SubprocessError)

# --------------------------------------------------------------------------------------------- results


@dataclass
class LoadResult:
    """One measured wrk run against one server."""

    duration_s: float
    requests: int
    tokens: int
    non2xx: int
    no_token: int
    socket_errors: int
    last_bad_status: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    cpu: CpuUse | None = None

    @property
    def errors(self) -> int:
        """Every request that did not yield a token: non-2xx, 2xx without a token, socket errors/timeouts."""
        return self.non2xx + self.no_token + self.socket_errors

    @property
    def tokens_per_s(self) -> float:
        """Tokens actually issued per second of the measured run."""
        return self.tokens / self.duration_s if self.duration_s else 0.0

    @property
    def cpu_ms_per_token(self) -> float | None:
        """CPU time (user + system, all threads) the server spent per issued token."""
        if self.cpu is None or not self.tokens:
            return None
        return 1000 * self.cpu.server_s / self.tokens


@dataclass
class ServerResult:
    """What was measured for one server; `error` says why a figure is missing."""

    name: str
    version: str = ""
    load: LoadResult | None = None
    tokens_total: int = 0
    rss_start_bytes: int | None = None
    rss_bytes: int | None = None
    peak_rss_bytes: int | None = None
    error: str | None = None
    incidents: list[str] = field(default_factory=list)

    def check(self, phase: str, run: LoadResult) -> None:
        """Record failed requests, or a server that issued nothing, in a run other than the measured one."""
        if run.tokens == 0:
            self.incidents.append(
                f"{phase}: no token at all in {run.duration_s:.0f} s ({run.requests} answers, "
                f"{run.socket_errors} socket errors/timeouts): the server stalled; see its log"
            )
        elif run.errors:
            self.incidents.append(
                f"{phase}: {run.errors} failed requests ({run.non2xx} non-2xx, {run.no_token} without a token, "
                f"{run.socket_errors} socket errors/timeouts, last bad status {run.last_bad_status})"
            )

    def to_json(self) -> dict[str, Any]:
        """The figures as plain JSON values."""
        data: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "error": self.error,
            "tokens_total": self.tokens_total,
            "rss_start_bytes": self.rss_start_bytes,
            "rss_bytes": self.rss_bytes,
            "peak_rss_bytes": self.peak_rss_bytes,
            "incidents": self.incidents,
            "load": None,
        }
        if self.load is not None:
            load = asdict(self.load)
            if self.load.cpu is not None:  # the load generator is wrk here: its key stays `wrk_s`
                cpu = self.load.cpu
                load["cpu"] = {"server_s": cpu.server_s, "wrk_s": cpu.client_s, "other_s": cpu.other_s}
                load["cpu"]["wall_s"] = cpu.wall_s
            data["load"] = {
                **load,
                "errors": self.load.errors,
                "tokens_per_s": self.load.tokens_per_s,
                "server_cpu_ms_per_token": self.load.cpu_ms_per_token,
            }
        return data


@dataclass
class Report:
    """Everything one run measured."""

    machine: dict[str, Any]
    settings: dict[str, Any]
    ceiling: dict[str, float] = field(default_factory=dict)
    tenantry: ServerResult = field(default_factory=lambda: ServerResult("tenantry"))
    oidc_provider: ServerResult = field(default_factory=lambda: ServerResult("oidc-provider"))
    profile: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        """Tenantry's token rate over oidc-provider's, when both were measured."""
        ours, theirs = self.tenantry.load, self.oidc_provider.load
        if ours is None or theirs is None or theirs.tokens_per_s == 0:
            return None
        return ours.tokens_per_s / theirs.tokens_per_s

    def targets(self) -> list[dict[str, Any]]:
        """Each target with its verdict: PASS, FAIL or n/a (not measured)."""
        load = self.tenantry.load
        rate_ok: bool | None = None
        rate_detail = "not measured"
        if load is not None:
            rate_ok = load.tokens_per_s >= TARGET_TOKENS_PER_S and load.errors == 0
            rate_detail = f"{load.tokens_per_s:.1f} tokens/s"
            if load.errors:
                rate_detail += f", {load.errors} errors: the run is not clean"
        ratio = self.ratio
        ratio_ok = None if ratio is None else ratio >= TARGET_RATIO
        ratio_detail = "oidc-provider not measured" if ratio is None else f"ratio {ratio:.2f}"
        rss, after = self.tenantry.rss_bytes, self.tenantry.tokens_total
        rss_ok: bool | None = None
        rss_detail = "not measured"
        if rss is not None:
            rss_ok = rss < TARGET_RSS_BYTES and after >= TARGET_RSS_AFTER_TOKENS
            rss_detail = f"{rss / MB:.1f} MB after {after:,} tokens"
            if after < TARGET_RSS_AFTER_TOKENS:
                rss_detail += f" (fewer than {TARGET_RSS_AFTER_TOKENS:,})"
        return [
            {
                "target": f"one Tenantry process ≥ {TARGET_TOKENS_PER_S:.0f} tokens/s, no errors",
                "ok": rate_ok,
                "detail": rate_detail,
            },
            {"target": "at least as fast as oidc-provider (ratio ≥ 1.00)", "ok": ratio_ok, "detail": ratio_detail},
            {
                "target": f"RSS < {TARGET_RSS_BYTES / MB:.0f} MB after {TARGET_RSS_AFTER_TOKENS:,} tokens",
                "ok": rss_ok,
                "detail": rss_detail,
            },
        ]

    def warnings(self) -> list[str]:
        """What makes figures doubtful: errors in a run, or other work competing for the CPU during it."""
        found = []
        for result in (self.tenantry, self.oidc_provider):
            load = result.load
            found += [f"{result.name} {incident}" for incident in result.incidents]
            if load is None:
                continue
            if load.tokens == 0:
                found.append(f"the {result.name} measured run issued no token: the server stalled; see its log")
            if load.errors:
                found.append(
                    f"the {result.name} run had {load.errors} failed requests: {load.non2xx} non-2xx, "
                    f"{load.no_token} 2xx without a token, {load.socket_errors} socket errors/timeouts "
                    f"(last bad status {load.last_bad_status}); see its server log"
                )
            if load.cpu is not None and load.cpu.other_cores > BUSY_MACHINE_CORES:
                found.append(
                    f"other processes used {load.cpu.other_cores:.2f} cores on average during the {result.name} "
                    "run: its figures are depressed; compare CPU ms/token, or run again on a quiet machine"
                )
        return found

    def to_json(self) -> dict[str, Any]:
        """The whole report as JSON."""
        return {
            "warnings": self.warnings(),
            "machine": self.machine,
            "settings": self.settings,
            "signing_ceiling_per_s": self.ceiling,
            "tenantry": self.tenantry.to_json(),
            "oidc_provider": self.oidc_provider.to_json(),
            "ratio_tenantry_over_oidc_provider": self.ratio,
            "targets": self.targets(),
            "profile": self.profile,
            "notes": self.notes,
        }


# --------------------------------------------------------------------------------------------- ceiling


def signing_rate(key: Any, threads: int, seconds: float) -> float:
    """RS256 signatures per second over `seconds`, with `threads` threads signing a token-sized input."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    data = b"e" * 900  # about the size of a Tenantry access token's signing input
    counts = [0] * threads

    def work(index: int, deadline: float) -> None:
        done = 0
        while time.perf_counter() < deadline:
            for _ in range(10):
                key.sign(data, padding.PKCS1v15(), hashes.SHA256())
            done += 10
        counts[index] = done

    wall = in_threads(threads, seconds, work)  # before the sum: the threads fill `counts`
    return sum(counts) / wall


def measure_ceiling(seconds: float, cores: int) -> dict[str, float]:
    """The raw signing rate with 1 thread and with one thread per usable core."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing_rate(key, 1, 0.3)  # warm-up
    result = {"threads_1": signing_rate(key, 1, seconds)}
    threads = max(2, cores)
    result[f"threads_{threads}"] = signing_rate(key, threads, seconds)
    return result


# --------------------------------------------------------------------------------------------- oidc-provider


def ensure_oidc_provider() -> tuple[Path | None, str]:
    """Install the pinned oidc-provider into bench/.work/node; (server script, version) or (None, why not)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return None, "node and npm are needed for the oidc-provider comparison and are not installed"
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    wanted = (OIDC_PROVIDER_SRC / "package.json").read_text(encoding="utf-8")
    package_json = NODE_DIR / "package.json"
    installed = NODE_DIR / "node_modules" / "oidc-provider" / "package.json"
    if not installed.exists() or not package_json.exists() or package_json.read_text(encoding="utf-8") != wanted:
        pin = json.loads(wanted)["dependencies"]["oidc-provider"]
        say(f"installing oidc-provider@{pin} with npm into {relative(NODE_DIR)}")
        package_json.write_text(wanted, encoding="utf-8")
        result = run_quiet([npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--loglevel=error"])
        if result.returncode != 0 or not installed.exists():
            return None, f"npm install of oidc-provider failed:\n{tail(result.stderr or result.stdout, 8)}"
    shutil.copyfile(OIDC_PROVIDER_SRC / "server.mjs", NODE_DIR / "server.mjs")
    version = json.loads(installed.read_text(encoding="utf-8"))["version"]
    return NODE_DIR / "server.mjs", version


# --------------------------------------------------------------------------------------------- HTTP


def post_token(port: int, path: str, body: str, cafile: Path) -> dict[str, Any]:
    """One token request with a verified TLS connection; returns the JSON body or raises with the reply."""
    status, data = post_form(port, path, body, cafile)
    if status != 200:
        raise RuntimeError(f"token request answered {status}: {data[:400]!r}")
    payload: dict[str, Any] = json.loads(data)
    token = payload.get("access_token")
    if not isinstance(token, str) or token.count(".") != 2:
        raise RuntimeError(f"no JWT access_token in the reply: {data[:400]!r}")
    header = jwt_part(token, 0)
    if header.get("alg") != "RS256":
        raise RuntimeError(f"access token is not RS256: header {header}")
    return payload


# --------------------------------------------------------------------------------------------- wrk


@dataclass(frozen=True)
class LoadShape:
    """The wrk settings, identical for both servers."""

    threads: int
    connections: int
    warmup_s: int
    duration_s: int
    rounds: int = 3
    timeout_s: int = 5


def wrk_run(wrk: str, url: str, body: str, shape: LoadShape, seconds: int, log: Path, pid: int) -> LoadResult:
    """One wrk run; the Lua script's BENCH_RESULT line gives the counts and latency percentiles."""
    raw, cpu = run_wrk(wrk, LUA_SCRIPT, url, {"BENCH_BODIES": body}, shape, seconds, log, pid)
    return LoadResult(
        duration_s=raw["duration_us"] / 1e6,
        requests=raw["requests"],
        tokens=raw["tokens"],
        non2xx=raw["non2xx"],
        no_token=raw["no_token"],
        socket_errors=raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"],
        last_bad_status=raw["last_bad_status"],
        **latencies_ms(raw),
        cpu=cpu,
    )


@dataclass
class Contender:
    """A started server, ready for load: where its figures go and how to load it."""

    result: ServerResult
    pid: int
    url: str
    body: str
    wrk_log: Path
    rounds: list[LoadResult] = field(default_factory=list)

    def run(self, wrk: str, shape: LoadShape, seconds: int) -> LoadResult:
        """One wrk run against this server; its tokens count toward the server's total."""
        result = wrk_run(wrk, self.url, self.body, shape, seconds, self.wrk_log, self.pid)
        self.result.tokens_total += result.tokens
        return result


def combined(rounds: Sequence[LoadResult]) -> LoadResult:
    """A server's measured rounds as one run: counts, durations and CPU seconds added up. wrk reports
    percentiles, not histograms, so each latency percentile is the average of the rounds' values weighted
    by their requests (the rounds have the same length and load, so their distributions are alike); the
    maximum is the largest."""
    requests = sum(run.requests for run in rounds)

    def weighted(name: str) -> float:
        return sum(getattr(run, name) * run.requests for run in rounds) / requests if requests else 0.0

    cpus = [run.cpu for run in rounds if run.cpu is not None]
    cpu = None
    if cpus and len(cpus) == len(rounds):
        cpu = CpuUse(*(sum(getattr(c, part) for c in cpus) for part in ("server_s", "client_s", "other_s", "wall_s")))
    return LoadResult(
        duration_s=sum(run.duration_s for run in rounds),
        requests=requests,
        tokens=sum(run.tokens for run in rounds),
        non2xx=sum(run.non2xx for run in rounds),
        no_token=sum(run.no_token for run in rounds),
        socket_errors=sum(run.socket_errors for run in rounds),
        last_bad_status=next((run.last_bad_status for run in reversed(rounds) if run.last_bad_status), 0),
        p50_ms=weighted("p50_ms"),
        p90_ms=weighted("p90_ms"),
        p99_ms=weighted("p99_ms"),
        max_ms=max(run.max_ms for run in rounds),
        mean_ms=weighted("mean_ms"),
        cpu=cpu,
    )


def round_order(contenders: Sequence[Contender], index: int) -> list[Contender]:
    """A, B in even rounds and B, A in odd ones: a steady drift of the machine's speed then costs both the
    same (the ABBA order of paired measurements)."""
    return list(contenders) if index % 2 == 0 else list(reversed(contenders))


def measure_in_rounds(contenders: list[Contender], wrk: str, shape: LoadShape) -> None:
    """Warm each server up, then give each `shape.duration_s` seconds of load in `shape.rounds` alternating
    rounds, one server at a time. A server whose run fails is left out of the remaining rounds."""
    for contender in list(contenders):
        say(f"{contender.result.name}: warm-up {shape.warmup_s} s")
        if shape.warmup_s:
            attempt(contender, contenders, lambda c: c.result.check("warm-up", c.run(wrk, shape, shape.warmup_s)))
    seconds = max(1, round(shape.duration_s / shape.rounds))
    say(
        f"measuring {shape.rounds} rounds of {seconds} s per server "
        f"({shape.threads} threads, {shape.connections} connections)"
    )
    for index in range(shape.rounds):
        for contender in round_order(contenders, index):
            if contender in contenders:
                attempt(contender, contenders, lambda c: c.rounds.append(c.run(wrk, shape, seconds)))
    for contender in contenders:
        if contender.rounds:
            contender.result.load = load = combined(contender.rounds)
            per_round = ", ".join(f"{run.tokens_per_s:.0f}" for run in contender.rounds)
            say(
                f"{contender.result.name}: {load.tokens_per_s:.1f} tokens/s (rounds: {per_round}), "
                f"p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, {load.errors} errors"
            )


def attempt(contender: Contender, contenders: list[Contender], step: Callable[[Contender], None]) -> None:
    """Run one load step; on failure record why and drop the server from `contenders`."""
    try:
        step(contender)
    except FAILURES as exc:
        contender.result.error = f"load failed: {exc}"
        say(f"{contender.result.name}: {contender.result.error}")
        contenders.remove(contender)


def top_up_and_read_rss(contender: Contender, wrk: str, shape: LoadShape, min_tokens: int) -> None:
    """Add load until `min_tokens` were issued in all (warm-up and rounds included), then read the RSS."""
    result = contender.result
    rate = max(result.load.tokens_per_s if result.load else 0.0, 50.0)
    started = time.monotonic()
    while result.tokens_total < min_tokens and time.monotonic() - started < TOP_UP_LIMIT_S:
        seconds = max(2, min(60, int((min_tokens - result.tokens_total) / rate) + 2))
        say(f"{result.name}: {result.tokens_total:,} tokens so far; {seconds} s more load to pass {min_tokens:,}")
        extra = contender.run(wrk, shape, seconds)
        result.check("top-up load before the RSS reading", extra)
        if extra.tokens == 0:
            break
    result.rss_bytes, result.peak_rss_bytes = rss_of(contender.pid)


# --------------------------------------------------------------------------------------------- profile


def profile_tenantry(ours: Contender, py_spy: str, wrk: str, shape: LoadShape) -> dict[str, Any]:
    """A separate, unmeasured wrk run with py-spy sampling the server; the figures above (token count and
    RSS included) stay unperturbed."""
    raw = ours.wrk_log.parent / "tenantry-profile.txt"
    seconds = shape.duration_s
    say(f"tenantry: profiling {seconds} s with py-spy (not part of the figures) → {relative(raw)}")
    under_profile, spy_err = record(
        py_spy,
        ours.pid,
        seconds,
        raw,
        lambda: wrk_run(wrk, ours.url, ours.body, shape, seconds, ours.wrk_log, ours.pid),
    )
    ours.result.check("profiling run", under_profile)
    if spy_err is not None:
        raise RuntimeError(f"py-spy failed: {spy_err[-400:]}")
    summary = summarise_profile(raw, 25)
    summary["raw_file"] = str(raw)
    summary["tokens_per_s_under_profiler"] = under_profile.tokens_per_s
    return summary


# --------------------------------------------------------------------------------------------- servers


def setup_tenantry(home: Path) -> tuple[str, str, str]:
    """Tenant, API with an app role, client with that role and a secret; returns (tenant, client id, secret)."""
    from tenantry.app import build_services
    from tenantry.config import Settings
    from tenantry.server.tls import ensure_dev_certificates

    services = build_services(Settings(home=home))
    try:
        tenant = services.directory.create_tenant("Bench", ["bench.example.com"])
        api = services.apps.create_app(tenant.id, "bench-api", identifier_uris=(RESOURCE,))
        services.apps.add_app_role(api, ROLE, display_name="Read", member_types=("Application",))
        client = services.apps.create_app(tenant.id, "bench-client")
        services.apps.add_permission(client, api.app_id, ROLE, "Role")
        consenting = services.apps.find_app(client.app_id)  # re-fetched: it must see the permission just added
        if consenting is None:
            raise RuntimeError("the bench client vanished during set-up")
        services.apps.admin_consent(consenting)
        secret = services.credentials.add_secret(client, display_name="bench").secret_text
    finally:
        services.store.engine.dispose()
    ensure_dev_certificates(home, (HOST,))
    return tenant.id, client.app_id, secret


@contextmanager
def tenantry_contender(report: Report, run_dir: Path) -> Iterator[tuple[Contender, Path]]:
    """Set up and start one Tenantry process and check one token; yields it with its TLS directory (the
    other server uses the same certificate) and stops it on the way out."""
    result = report.tenantry
    home = tenantry_home(run_dir)
    tenant_id, client_id, secret = setup_tenantry(home)
    result.version = tenantry_version()
    body = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": SCOPE}
    )
    path = f"/{tenant_id}/oauth2/v2.0/token"
    with tenantry_server(home, run_dir, "tenantry: ") as (proc, port):
        claims = jwt_part(post_token(port, path, body, home / "tls" / "ca.pem")["access_token"], 1)
        result.tokens_total = 1
        if ROLE not in claims.get("roles", []):
            raise RuntimeError(f"the access token lacks the role {ROLE} granted to the bench client: {claims}")
        say(f"tenantry: a token request returned an RS256 access token with roles {claims['roles']}")
        url = f"https://{HOST}:{port}{path}"
        yield Contender(result, proc.pid, url, body, run_dir / "tenantry-wrk.log"), home / "tls"


@contextmanager
def oidc_provider_contender(report: Report, run_dir: Path, tls_dir: Path) -> Iterator[Contender | None]:
    """Install and start node oidc-provider and check one token; yields None (with the reason recorded)
    when it cannot be installed."""
    result = report.oidc_provider
    server, version = ensure_oidc_provider()
    if server is None:
        result.error = version
        say(f"oidc-provider: {version}")
        yield None
        return
    node_version = run_quiet(["node", "--version"]).stdout.strip()
    result.version = f"{version} (node {node_version})"
    report.machine["node"] = node_version
    port = free_port()
    secret = base64.urlsafe_b64encode(os.urandom(33)).decode()
    env = {
        **os.environ,
        "NODE_ENV": "production",
        "BENCH_HOST": HOST,
        "BENCH_PORT": str(port),
        "BENCH_TLS_CERT": str(tls_dir / "server.pem"),
        "BENCH_TLS_KEY": str(tls_dir / "server-key.pem"),
        "BENCH_CLIENT_ID": NODE_CLIENT_ID,
        "BENCH_CLIENT_SECRET": secret,
        "BENCH_RESOURCE": RESOURCE,
        "BENCH_SCOPE": NODE_SCOPE,
    }
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": NODE_CLIENT_ID,
            "client_secret": secret,
            "resource": RESOURCE,
            "scope": NODE_SCOPE,
        }
    )
    log = run_dir / "oidc-provider-server.log"
    say(f"oidc-provider: starting {version} on node {node_version}")
    with running(["node", str(server)], env, log, cwd=NODE_DIR) as proc:
        wait_ready(proc, log, "READY ")
        post_token(port, "/token", body, tls_dir / "ca.pem")
        result.tokens_total = 1
        say("oidc-provider: a token request returned an RS256 JWT access token")
        url = f"https://{HOST}:{port}/token"
        yield Contender(result, proc.pid, url, body, run_dir / "oidc-provider-wrk.log")


# --------------------------------------------------------------------------------------------- output


def server_row(result: ServerResult) -> str:
    """One line of the table."""
    label = f"{result.name} {result.version}".strip()[:31]
    load = result.load
    if load is None:
        return f"{label:<32}not measured: {(result.error or 'see above').strip().splitlines()[0]}"
    rss = f"{result.rss_bytes / MB:.1f}" if result.rss_bytes is not None else "?"
    cpu = load.cpu_ms_per_token
    return (
        f"{label:<32}{load.tokens_per_s:>9.1f}{load.p50_ms:>9.1f}{load.p99_ms:>9.1f}{load.errors:>8}"
        f"{'?' if cpu is None else f'{cpu:.2f}':>12}{rss:>9}  {result.tokens_total:,}"
    )


def render(report: Report) -> str:
    """The human-readable table."""
    m, s = report.machine, report.settings
    lines = [
        "Client-credentials token endpoint benchmark",
        machine_line(m),
        f"software  Python {m['python']}, cryptography {m['cryptography']}, {m.get('wrk', 'wrk: missing')}, "
        f"node {m.get('node', 'n/a')}",
        f"load      wrk {s['threads']} threads, {s['connections']} keep-alive HTTPS connections, "
        f"{s['warmup_s']} s warm-up, then {s['duration_s']} s measured in {s['rounds']} alternating rounds per server; "
        "POST client_id + client_secret form",
        "",
        f"{'server':<32}{'tokens/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'CPU ms/tok':>12}{'RSS MB':>9}"
        "  after tokens",
        server_row(report.tenantry),
        server_row(report.oidc_provider),
        "",
    ]
    ratio = report.ratio
    lines.append(f"ratio tenantry / oidc-provider (tokens/s): {'n/a' if ratio is None else f'{ratio:.2f}'}")
    ours = report.tenantry
    if ours.peak_rss_bytes is not None and ours.rss_start_bytes is not None:
        lines.append(
            f"tenantry RSS: {ours.rss_start_bytes / MB:.1f} MB after its first token, "
            f"peak (VmHWM) {ours.peak_rss_bytes / MB:.1f} MB"
        )
    if report.ceiling:
        parts = [f"{k.removeprefix('threads_')} thread(s) {v:,.0f}/s" for k, v in report.ceiling.items()]
        lines.append(f"RS256 signing ceiling (RSA-2048, cryptography): {', '.join(parts)}")
        load, best = report.tenantry.load, max(report.ceiling.values())
        if load is not None and best:
            lines.append(f"tenantry reaches {100 * load.tokens_per_s / best:.0f}% of the best signing ceiling")
    lines += target_lines(report.targets())
    if report.profile:
        profile = report.profile
        heading = (
            f"profile of the tenantry process (py-spy, separate run, {profile['samples']} samples, "
            f"{profile['tokens_per_s_under_profiler']:.0f} tokens/s while sampled)"
        )
        lines += profile_lines(heading, profile, 15, 25)
    return "\n".join([*lines, *trailer_lines(report.warnings(), report.notes)])


# --------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options of the token benchmark."""
    parser = new_parser(__doc__)
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per server (default 15)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up seconds per server (default 5)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds the measured seconds are split into (default 3)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk keep-alive connections (default 32)")
    parser.add_argument("--ceiling-seconds", type=float, default=3.0, help="seconds per signing measurement")
    parser.add_argument("--no-oidc-provider", action="store_true", help="skip the oidc-provider comparison")
    parser.add_argument("--profile", action="store_true", help="also profile Tenantry with py-spy (extra run)")
    add_output_args(parser)
    return parser.parse_args(argv)


def measure_servers(report: Report, args: argparse.Namespace, shape: LoadShape, run_dir: Path) -> None:
    """Start Tenantry and oidc-provider side by side, load them in alternating rounds, then top Tenantry up
    for its RSS reading and profile it when asked; record why anything is missing."""
    wrk, py_spy = load_tools(report.machine, report.notes, args.profile)
    if wrk is None:
        report.tenantry.error = report.oidc_provider.error = "wrk could not be installed"
        return
    with ExitStack() as servers:
        try:
            ours, tls_dir = servers.enter_context(tenantry_contender(report, run_dir))
        except FAILURES as exc:
            report.tenantry.error = str(exc)
            say(f"tenantry: could not be measured: {exc}")
            if not args.no_oidc_provider:
                report.oidc_provider.error = "skipped: needs the TLS files of the Tenantry run"
            return
        contenders = [ours]
        if args.no_oidc_provider:
            report.oidc_provider.error = "skipped (--no-oidc-provider)"
        else:
            try:
                theirs = servers.enter_context(oidc_provider_contender(report, run_dir, tls_dir))
            except FAILURES as exc:
                report.oidc_provider.error = str(exc)
                say(f"oidc-provider: could not be measured: {exc}")
            else:
                contenders += [theirs] if theirs is not None else []
        measure_in_rounds(contenders, wrk, shape)
        for contender in list(contenders):
            least = TARGET_RSS_AFTER_TOKENS if contender is ours else 0
            attempt(contender, contenders, partial(top_up_and_read_rss, wrk=wrk, shape=shape, min_tokens=least))
        if py_spy is not None and ours in contenders:
            try:
                report.profile = profile_tenantry(ours, py_spy, wrk, shape)
            except FAILURES as exc:
                report.notes.append(f"profile not taken: {exc}")
                say(f"tenantry: profile not taken: {exc}")


def main(argv: list[str] | None = None) -> int:
    """Run everything that can be measured; 0 when Tenantry's rate was measured, 1 otherwise."""
    args = parse_args(argv)
    shape = LoadShape(args.threads, args.connections, args.warmup, args.duration, max(1, args.rounds))
    report = Report(
        machine=machine_info(), settings={**asdict(shape), "min_tokens_before_rss": TARGET_RSS_AFTER_TOKENS}
    )
    run_dir = new_run_dir("run-")
    try:
        say(f"measuring the RS256 signing ceiling ({args.ceiling_seconds:g} s per setting)")
        report.ceiling = measure_ceiling(args.ceiling_seconds, report.machine["usable_cores"])
        measure_servers(report, args, shape, run_dir)
    finally:
        skipped = args.no_oidc_provider
        failed = report.tenantry.error or (report.oidc_provider.error and not skipped) or report.warnings()
        close_run_dir(run_dir, bool(args.keep or report.profile or failed))
    emit(args.json, report.to_json, lambda: render(report))
    return 0 if report.tenantry.load is not None else 1


if __name__ == "__main__":
    sys.exit(main())
