"""The signing pool: signatures made off the event loop, failures and cancellations handled."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tenantry.common.ids import b64url_decode
from tenantry.tokens.mint import PendingSignature
from tenantry.tokens.signing_pool import SigningPool

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pending(index: int) -> PendingSignature:
    return PendingSignature(f"<p{index}>", KEY, f"eyJhbGciOiJSUzI1NiJ9.eyJuIjo{index}fQ")


def _verify(token: str) -> None:
    signing_input, signature = token.rsplit(".", 1)
    KEY.public_key().verify(b64url_decode(signature), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())


def test_signs_every_pending_token_of_a_request() -> None:
    pool = SigningPool(threads=2)

    async def run() -> dict[str, str]:
        return await pool.sign([_pending(1), _pending(2)])

    try:
        signed = asyncio.run(run())
    finally:
        pool.close()
    assert set(signed) == {"<p1>", "<p2>"}
    for token in signed.values():
        _verify(token)


def test_many_concurrent_requests_each_get_their_own_tokens() -> None:
    pool = SigningPool(threads=2)

    async def run() -> list[dict[str, str]]:
        return await asyncio.gather(*(pool.sign([_pending(i)]) for i in range(40)))

    try:
        results = asyncio.run(run())
    finally:
        pool.close()
    assert [next(iter(result)) for result in results] == [f"<p{i}>" for i in range(40)]


class _Broken(PendingSignature):
    def complete(self) -> str:
        raise ValueError("no key")


def test_a_failure_reaches_the_awaiting_request() -> None:
    pool = SigningPool(threads=1)

    async def run() -> None:
        await pool.sign([_Broken("<p>", KEY, "x.y")])

    try:
        with pytest.raises(ValueError, match="no key"):
            asyncio.run(run())
    finally:
        pool.close()


def test_a_cancelled_request_does_not_break_the_pool() -> None:
    pool = SigningPool(threads=1)

    async def run() -> dict[str, str]:
        task = asyncio.ensure_future(pool.sign([_pending(1)]))
        await asyncio.sleep(0)
        task.cancel()
        return await pool.sign([_pending(2)])

    try:
        assert set(asyncio.run(run())) == {"<p2>"}
    finally:
        pool.close()


def test_close_stops_the_threads() -> None:
    pool = SigningPool(threads=2)
    asyncio.run(pool.sign([_pending(1)]))
    started = pool.threads
    assert len(started) == 2
    pool.close()
    assert pool.threads == ()
    assert not any(thread.is_alive() for thread in started)
