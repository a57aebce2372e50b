"""Settings: the only module that reads the environment (style P10).

Every field reads `TENANTRY_<NAME>`; secrets may be given as `file:/path` or `env:OTHER_VAR`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _dereference(value: str) -> str:
    """Resolve `file:` and `env:` references so secrets need not sit in the environment itself."""
    if value.startswith("file:"):
        return Path(value[5:]).read_text(encoding="utf-8").strip()
    if value.startswith("env:"):
        return os.environ.get(value[4:], "")
    return value


def _whole_days(text: str) -> int:
    """One horizon: a positive whole number of days."""
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"expiry horizon {text!r} is not a positive whole number of days")
    return int(text)


class Settings(BaseSettings):
    """Tenantry's configuration, validated once at start-up."""

    model_config = SettingsConfigDict(env_prefix="TENANTRY_", frozen=True, extra="ignore")

    home: Path = Field(Path("var"), description="Data directory: SQLite database, keys, TLS material.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; PostgreSQL as postgresql+psycopg://…; default SQLite in `home`."
    )
    redis_url: str | None = Field(
        None,
        description="Redis URL (`redis://host:6379/0`, `rediss://…` for TLS) holding smart lockout's counters and "
        "familiar addresses, shared by every server process; unset: they are kept in the database.",
    )
    redis_key_prefix: str = Field(
        "tenantry:",
        min_length=1,
        max_length=64,
        description="Prefix of every Redis key Tenantry writes (several deployments may share one Redis).",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Master secret (≥32 chars): encrypts signing keys at rest and keys the HMAC of client "
        "secrets, so changing it invalidates both; default: a generated 0600 file in `home`.",
    )
    public_url: str | None = Field(
        None,
        description="External base URL (https://host[:port]): the issuer and the base of every URL in discovery "
        "and of links, whatever host name a request uses; default: https://localhost with the first `--port` of "
        "`serve` (8443). `serve` records it in `home/server.json`, where the CLI finds it for share links.",
    )
    arm_url: str | None = Field(
        None,
        description="Base URL under which the Azure CLI reaches Tenantry's Azure Resource Manager surface (the "
        "server's `/arm`; `az cloud register --endpoint-resource-manager`). Its origin (host or port) must differ "
        "from the public URL's: az picks a token's audience by the origin of the URL it calls. Default: the "
        "public URL with `localhost` and `127.0.0.1` swapped, then `/arm`.",
    )
    federation_http_timeout: float = Field(
        5.0,
        ge=0.5,
        le=60,
        description="Timeout, seconds, of each HTTPS request to an external issuer's OpenID configuration or keys "
        "(workload identity federation). Its certificate is checked against the system's trust store "
        "(`SSL_CERT_FILE` replaces it).",
    )
    federation_keys_cache_seconds: int = Field(
        3600,
        ge=60,
        le=86400,
        description="How long an external issuer's signing keys are cached; a token naming an unknown `kid` "
        "refreshes them sooner (see `federation_keys_refresh_seconds`).",
    )
    federation_keys_refresh_seconds: int = Field(
        60,
        ge=1,
        le=3600,
        description="Least time between two fetches of one external issuer's keys on an unknown `kid` (an issuer "
        "rotating its keys), so that tokens naming made-up kids cannot make this server hammer the issuer.",
    )
    access_token_min_lifetime: int = Field(3600, ge=600, description="Shortest access-token lifetime, seconds.")
    access_token_max_lifetime: int = Field(5400, ge=600, description="Longest access-token lifetime, seconds.")
    clock_skew: int = Field(300, ge=0, le=900, description="Tolerated clock skew for client assertions, seconds.")
    key_activation_delay: int = Field(
        86400, ge=0, description="How long a rotated signing key is published before it signs, seconds."
    )
    max_body_bytes: int = Field(1_048_576, ge=4096, description="Largest accepted request body.")
    header_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=300,
        description="Time a client has to finish the TLS handshake and send a request's headers (counted from "
        "the connection's opening, or from the first byte after a response); a late connection is closed, seconds.",
    )
    password_hash_concurrency: int | None = Field(
        None,
        ge=1,
        le=256,
        description="Tuning: argon2 password hashes computed at once (each holds 19 MiB while it runs); default: "
        "the number of CPU cores.",
    )
    signing_threads: int | None = Field(
        None,
        ge=1,
        le=64,
        description="Tuning: threads that sign tokens (RSA releases the GIL); default: the number of CPU cores, "
        "at most 4 (one per core signed fastest on 2 cores).",
    )
    token_endpoint_threads: int = Field(
        3,
        ge=1,
        le=256,
        description="Tuning: token requests whose grant reads or writes storage, handled at once on worker "
        "threads (a few keep the cores busy; dozens only fight over the GIL and the connection pool).",
    )
    gil_switch_interval_us: int = Field(
        100,
        ge=10,
        le=100_000,
        description="Tuning: how long a thread may hold the GIL while another waits, microseconds (CPython's "
        "default is 5000); 100 lets a signing thread that finished get the GIL back at once (+7% tokens/s).",
    )
    expiry_horizons: str = Field(
        "30,7,1",
        description="Days before a secret or certificate expires at which its owners are warned, once per "
        "horizon (comma-separated).",
    )
    expiry_scan_seconds: int = Field(
        3600, ge=0, description="How often the server scans for expiring credentials, seconds; 0 turns it off."
    )
    sign_in_log_retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Days sign-in log entries are kept (Entra keeps 30 with P1/P2); older ones are purged hourly.",
    )
    outbox_poll_seconds: int = Field(
        5, ge=1, le=3600, description="How often the server delivers queued webhooks and e-mails, seconds."
    )
    webhook_url: str | None = Field(
        None, description="Expiry warnings are POSTed here as JSON signed with `webhook_secret` (HMAC-SHA256)."
    )
    webhook_secret: SecretStr | None = Field(
        None, description="Shared secret (≥16 chars) signing webhook bodies (`X-Tenantry-Signature`)."
    )
    smtp_host: str | None = Field(None, description="SMTP relay for expiry warnings to app owners; unset: no mail.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    smtp_from: str | None = Field(None, description="Sender address of warning mails (required with `smtp_host`).")
    smtp_username: str | None = Field(None, description="SMTP AUTH user; unset: no AUTH.")
    smtp_password: SecretStr | None = Field(None, description="SMTP AUTH password.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS (certificate checked).")
    admin_session_minutes: int = Field(
        60,
        ge=5,
        le=1440,
        description="Longest admin center session, minutes; it also ends with the access token it was made from "
        "(then an SSO session signs the administrator in again without a prompt).",
    )
    sspr_code_minutes: int = Field(
        10, ge=1, le=60, description="Lifetime of a self-service password reset e-mail code, minutes."
    )
    sspr_code_attempts: int = Field(
        3, ge=1, le=10, description="Wrong tries after which an SSPR e-mail code is spent (a new one must be sent)."
    )
    sspr_flow_minutes: int = Field(
        15, ge=5, le=60, description="How long one password reset (from user name to new password) may take, minutes."
    )
    sspr_rate_window_seconds: int = Field(
        3600, ge=60, le=86400, description="Window of the SSPR attempt limits below, seconds."
    )
    sspr_attempts_per_user: int = Field(
        10, ge=1, le=1000, description="SSPR steps (codes sent, answers checked) per user name and window."
    )
    sspr_attempts_per_ip: int = Field(
        50,
        ge=1,
        le=100000,
        description="SSPR steps (names entered, codes sent, answers checked) per address and window.",
    )
    sso_url: str | None = Field(
        None,
        description="Base URL (`https://host[:port]`) of the seamless SSO endpoint, the name browsers allow-list "
        "for Kerberos (Entra's autologon host); default: the public URL.",
    )
    sso_clock_skew_seconds: int = Field(
        300,
        ge=1,
        le=3600,
        description="Largest difference between a Kerberos authenticator's time and ours, seconds (Kerberos' 5 "
        "minutes by default); tickets that expired less than this ago are still accepted.",
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description="Server log lines: `text` (readable, `key=value` fields) or `json` (one JSON object per line, "
        "fields as top-level keys); every refused request logs one INFO line with its trace id.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Least severe level the server logs (DEBUG, INFO, WARNING or ERROR)."
    )

    @field_validator("secret_key", "webhook_secret", "smtp_password", mode="before")
    @classmethod
    def _resolve_secret(cls, value: object) -> object:
        return _dereference(value) if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("expiry_horizons")
    @classmethod
    def _check_horizons(cls, value: str) -> str:
        days = sorted({_whole_days(part) for part in value.replace(" ", "").split(",") if part}, reverse=True)
        if not days:
            raise ValueError("expiry_horizons needs at least one number of days, e.g. 30,7,1")
        return ",".join(str(d) for d in days)

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("webhook_url must be an http:// or https:// URL")
        return value or None

    @field_validator("arm_url")
    @classmethod
    def _check_arm_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("arm_url must start with https://")
        return value.rstrip("/") if value else value

    @field_validator("public_url", "sso_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("public_url and sso_url must start with https:// (or http:// behind a TLS proxy)")
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _check_lifetimes(self) -> Settings:
        if self.access_token_min_lifetime > self.access_token_max_lifetime:
            raise ValueError("access_token_min_lifetime must not exceed access_token_max_lifetime")
        if self.secret_key is not None and len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("secret_key must be at least 32 characters")
        if self.webhook_url and len(self.webhook_secret.get_secret_value() if self.webhook_secret else "") < 16:
            raise ValueError("webhook_url needs a webhook_secret of at least 16 characters to sign deliveries")
        if self.smtp_host and not self.smtp_from:
            raise ValueError("smtp_host needs smtp_from (the sender address)")
        return self

    @property
    def expiry_horizon_days(self) -> tuple[int, ...]:
        """The warning horizons, widest first."""
        return tuple(int(part) for part in self.expiry_horizons.split(","))

    @property
    def resolved_hash_concurrency(self) -> int:
        """`password_hash_concurrency`, or the number of CPU cores."""
        return self.password_hash_concurrency or os.cpu_count() or 2

    @property
    def resolved_signing_threads(self) -> int:
        """`signing_threads`, or the number of CPU cores up to 4."""
        return self.signing_threads or min(4, os.cpu_count() or 2)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside `home`."""
        return self.database_url or f"sqlite:///{(self.home / 'tenantry.db').resolve()}"
