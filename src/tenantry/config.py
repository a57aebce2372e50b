"""Settings: the only module that reads the environment (style P10).

Every field reads `TENANTRY_<NAME>`; secrets may be given as `file:/path` or `env:OTHER_VAR`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _dereference(value: str) -> str:
    """Resolve `file:` and `env:` references so secrets need not sit in the environment itself."""
    if value.startswith("file:"):
        return Path(value[5:]).read_text(encoding="utf-8").strip()
    if value.startswith("env:"):
        return os.environ.get(value[4:], "")
    return value


class Settings(BaseSettings):
    """Tenantry's configuration, validated once at start-up."""

    model_config = SettingsConfigDict(env_prefix="TENANTRY_", frozen=True, extra="ignore")

    home: Path = Field(Path("var"), description="Data directory: SQLite database, keys, TLS material.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; PostgreSQL as postgresql+psycopg://…; default SQLite in `home`."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Master secret (≥32 chars): encrypts signing keys at rest and keys the HMAC of client "
        "secrets, so changing it invalidates both; default: a generated 0600 file in `home`.",
    )
    public_url: str | None = Field(
        None, description="External base URL (https://host[:port]); default: taken from each request's Host."
    )
    access_token_min_lifetime: int = Field(3600, ge=600, description="Shortest access-token lifetime, seconds.")
    access_token_max_lifetime: int = Field(5400, ge=600, description="Longest access-token lifetime, seconds.")
    clock_skew: int = Field(300, ge=0, le=900, description="Tolerated clock skew for client assertions, seconds.")
    key_activation_delay: int = Field(
        86400, ge=0, description="How long a rotated signing key is published before it signs, seconds."
    )
    max_body_bytes: int = Field(1_048_576, ge=4096, description="Largest accepted request body.")

    @field_validator("secret_key", mode="before")
    @classmethod
    def _resolve_secret(cls, value: object) -> object:
        return _dereference(value) if isinstance(value, str) else value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("public_url must start with https:// (or http:// behind a TLS proxy)")
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _check_lifetimes(self) -> Settings:
        if self.access_token_min_lifetime > self.access_token_max_lifetime:
            raise ValueError("access_token_min_lifetime must not exceed access_token_max_lifetime")
        if self.secret_key is not None and len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("secret_key must be at least 32 characters")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside `home`."""
        return self.database_url or f"sqlite:///{(self.home / 'tenantry.db').resolve()}"
