"""The signing pool and unsigned tokens: signatures made off the event loop, failures and cancellations
handled, and an unsigned token that cannot pass for a token before it is signed."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tenantry.common.compact_json import compact_json
from tenantry.common.ids import b64url_decode
from tenantry.tokens.mint import UnsignedToken, UnsignedTokenResponse
from tenantry.tokens.signing_pool import SigningPool

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _unsigned(index: int) -> UnsignedToken:
    return UnsignedToken(KEY, f"eyJhbGciOiJSUzI1NiJ9.eyJuIjo{index}fQ")


def _verify(token: str) -> None:
    signing_input, signature = token.rsplit(".", 1)
    KEY.public_key().verify(b64url_decode(signature), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())


def test_signs_a_token() -> None:
    pool = SigningPool(threads=2)
    try:
        token = asyncio.run(pool.sign(_unsigned(1)))
    finally:
        pool.close()
    assert token.startswith("eyJhbGciOiJSUzI1NiJ9.eyJuIjo1fQ.")
    _verify(token)


def test_many_concurrent_requests_each_get_their_own_token() -> None:
    pool = SigningPool(threads=2)

    async def run() -> list[str]:
        return await asyncio.gather(*(pool.sign(_unsigned(i)) for i in range(40)))

    try:
        results = asyncio.run(run())
    finally:
        pool.close()
    assert [token.rsplit(".", 1)[0] for token in results] == [_unsigned(i).signing_input for i in range(40)]


class _Broken(UnsignedToken):
    def sign(self) -> str:
        raise ValueError("no key")


def test_a_failure_reaches_the_awaiting_request() -> None:
    pool = SigningPool(threads=1)
    try:
        with pytest.raises(ValueError, match="no key"):
            asyncio.run(pool.sign(_Broken(KEY, "x.y")))
    finally:
        pool.close()


def test_a_cancelled_request_does_not_break_the_pool() -> None:
    pool = SigningPool(threads=1)

    async def run() -> str:
        task = asyncio.ensure_future(pool.sign(_unsigned(1)))
        await asyncio.sleep(0)
        task.cancel()
        return await pool.sign(_unsigned(2))

    try:
        assert asyncio.run(run()).startswith(_unsigned(2).signing_input)
    finally:
        pool.close()


def test_close_stops_the_threads() -> None:
    pool = SigningPool(threads=2)
    asyncio.run(pool.sign(_unsigned(1)))
    started = pool.threads
    assert len(started) == 2
    pool.close()
    assert pool.threads == ()
    assert not any(thread.is_alive() for thread in started)


def test_an_unsigned_token_has_no_text_and_no_hash() -> None:
    """It cannot reach a body, a log or storage by mistake: str(), JSON and hashing all refuse it."""
    unsigned = _unsigned(3)
    with pytest.raises(TypeError):
        str(unsigned)
    with pytest.raises(TypeError):
        hash(unsigned)
    with pytest.raises(orjson.JSONEncodeError):
        compact_json({"access_token": unsigned})


def test_an_unsigned_response_is_complete_once_signed() -> None:
    unsigned = UnsignedTokenResponse(_unsigned(4), {"token_type": "Bearer", "expires_in": 3600})
    body = unsigned.signed(unsigned.access_token.sign())
    assert list(body) == ["token_type", "expires_in", "access_token"]
    _verify(body["access_token"])
