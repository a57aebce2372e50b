"""Authorization codes, refresh tokens and device codes in SQL, each keyed by a hash of its value."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, insert, select, update

from tenantry.common.clock import as_utc
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import authorization_codes, device_codes, refresh_tokens
from tenantry.tokens.models import AuthorizationCode, DeviceCode, RefreshToken


def _opt(value: Any) -> datetime | None:
    return as_utc(value) if value is not None else None


def _code(row: Row[Any]) -> AuthorizationCode:
    return AuthorizationCode(
        code_hash=bytes(row.code_hash),
        family_id=row.family_id,
        tenant_id=row.tenant_id,
        client_id=row.client_id,
        user_id=row.user_id,
        session_id=row.session_id,
        redirect_uri=row.redirect_uri,
        scopes=tuple(row.scopes.split()),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        auth_time=as_utc(row.auth_time),
        nonce=row.nonce,
        code_challenge=row.code_challenge,
        code_challenge_method=row.code_challenge_method,
        spa=row.spa,
        redeemed_at=_opt(row.redeemed_at),
    )


def _refresh(row: Row[Any]) -> RefreshToken:
    return RefreshToken(
        token_hash=bytes(row.token_hash),
        family_id=row.family_id,
        tenant_id=row.tenant_id,
        client_id=row.client_id,
        user_id=row.user_id,
        scopes=tuple(row.scopes.split()),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        auth_time=as_utc(row.auth_time),
        spa=row.spa,
        session_id=row.session_id,
        revoked_at=_opt(row.revoked_at),
    )


def _device(row: Row[Any]) -> DeviceCode:
    return DeviceCode(
        device_code_hash=bytes(row.device_code_hash),
        user_code=row.user_code,
        tenant_segment=row.tenant_segment,
        client_id=row.client_id,
        scopes=tuple(row.scopes.split()),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        interval=row.interval,
        status=row.status,
        last_polled_at=_opt(row.last_polled_at),
        tenant_id=row.tenant_id,
        user_id=row.user_id,
        auth_time=_opt(row.auth_time),
    )


class SqlTokenRecords(SqlBase):
    """Implements `TokenRecordRepository`."""

    def add_authorization_code(self, code: AuthorizationCode) -> None:
        """Insert."""
        self._conn.execute(
            insert(authorization_codes).values(
                code_hash=code.code_hash,
                family_id=code.family_id,
                tenant_id=code.tenant_id,
                client_id=code.client_id,
                user_id=code.user_id,
                session_id=code.session_id,
                redirect_uri=code.redirect_uri,
                scopes=" ".join(code.scopes),
                nonce=code.nonce,
                code_challenge=code.code_challenge,
                code_challenge_method=code.code_challenge_method,
                spa=code.spa,
                created_at=code.created_at,
                expires_at=code.expires_at,
                auth_time=code.auth_time,
                redeemed_at=code.redeemed_at,
            )
        )

    def find_authorization_code(self, code_hash: bytes) -> AuthorizationCode | None:
        """By hash."""
        row = self._conn.execute(
            select(authorization_codes).where(authorization_codes.c.code_hash == code_hash)
        ).first()
        return _code(row) if row else None

    def redeem_authorization_code(self, code_hash: bytes, when: datetime) -> bool:
        """Compare-and-set on `redeemed_at IS NULL`: exactly one concurrent redemption wins."""
        t = authorization_codes
        result = self._conn.execute(
            update(t).where(t.c.code_hash == code_hash, t.c.redeemed_at.is_(None)).values(redeemed_at=when)
        )
        return result.rowcount == 1

    def add_refresh_token(self, token: RefreshToken) -> None:
        """Insert."""
        self._conn.execute(
            insert(refresh_tokens).values(
                token_hash=token.token_hash,
                family_id=token.family_id,
                tenant_id=token.tenant_id,
                client_id=token.client_id,
                user_id=token.user_id,
                session_id=token.session_id,
                scopes=" ".join(token.scopes),
                spa=token.spa,
                created_at=token.created_at,
                expires_at=token.expires_at,
                auth_time=token.auth_time,
                revoked_at=token.revoked_at,
            )
        )

    def find_refresh_token(self, token_hash: bytes) -> RefreshToken | None:
        """By hash."""
        row = self._conn.execute(select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)).first()
        return _refresh(row) if row else None

    def revoke_refresh_family(self, family_id: str, when: datetime) -> None:
        """Revoke every token of the family that is not revoked yet."""
        t = refresh_tokens
        self._conn.execute(
            update(t).where(t.c.family_id == family_id, t.c.revoked_at.is_(None)).values(revoked_at=when)
        )

    def add_device_code(self, code: DeviceCode) -> None:
        """Insert."""
        self._conn.execute(
            insert(device_codes).values(
                device_code_hash=code.device_code_hash,
                user_code=code.user_code,
                tenant_segment=code.tenant_segment,
                client_id=code.client_id,
                scopes=" ".join(code.scopes),
                created_at=code.created_at,
                expires_at=code.expires_at,
                interval=code.interval,
                status=code.status,
                last_polled_at=code.last_polled_at,
                tenant_id=code.tenant_id,
                user_id=code.user_id,
                auth_time=code.auth_time,
            )
        )

    def find_device_code(self, device_code_hash: bytes) -> DeviceCode | None:
        """By the device code's hash."""
        row = self._conn.execute(
            select(device_codes).where(device_codes.c.device_code_hash == device_code_hash)
        ).first()
        return _device(row) if row else None

    def find_device_code_by_user_code(self, user_code: str) -> DeviceCode | None:
        """By user code (stored upper-case)."""
        row = self._conn.execute(select(device_codes).where(device_codes.c.user_code == user_code.upper())).first()
        return _device(row) if row else None

    def update_device_code(self, code: DeviceCode) -> None:
        """Store the mutable fields."""
        self._update_device_code(code)

    def update_device_code_if(self, code: DeviceCode, expected_status: str) -> bool:
        """Compare-and-set on the stored status, in one UPDATE."""
        return self._update_device_code(code, device_codes.c.status == expected_status) == 1

    def _update_device_code(self, code: DeviceCode, *conditions: ColumnElement[bool]) -> int:
        result = self._conn.execute(
            update(device_codes)
            .where(device_codes.c.device_code_hash == code.device_code_hash, *conditions)
            .values(
                status=code.status,
                last_polled_at=code.last_polled_at,
                tenant_id=code.tenant_id,
                user_id=code.user_id,
                auth_time=code.auth_time,
            )
        )
        return result.rowcount
