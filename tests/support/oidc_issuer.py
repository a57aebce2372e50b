"""A small OpenID Connect issuer for workload identity federation tests: HTTPS on a free loopback port with a
certificate from its own CA (clients trust it through SSL_CERT_FILE), serving the discovery document and a
JWKS, and signing RS256 tokens the way GitHub Actions or Kubernetes would."""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tenantry.server.tls import ensure_dev_certificates

DEFAULT_AUDIENCE = "api://AzureADTokenExchange"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass
class SigningKey:
    """One RSA key of the issuer, published (or not) under `kid`."""

    kid: str
    private: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))

    def jwk(self) -> dict[str, str]:
        """The public half as a JWK."""
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _uint(numbers.n),
            "e": _uint(numbers.e),
        }


@dataclass
class FakeIssuer:
    """The issuer's URL (`https://localhost:{port}`), its CA file, its published keys and request counts."""

    url: str
    ca_path: Path
    keys: list[SigningKey]
    requests: list[str] = field(default_factory=list)

    def token(self, subject: str, *, audience: str = DEFAULT_AUDIENCE, lifetime: int = 600, **overrides: Any) -> str:
        """A signed token with `iss`, `sub`, `aud`, `iat`, `nbf`, `exp`, `jti`; `key` picks a SigningKey."""
        key: SigningKey = overrides.pop("key", self.keys[0])
        now = int(time.time())
        claims = {"iss": self.url, "sub": subject, "aud": audience, "iat": now, "nbf": now, "exp": now + lifetime}
        claims["jti"] = str(uuid.uuid4())
        claims.update(overrides)
        header = {"alg": "RS256", "typ": "JWT", "kid": key.kid}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = key.private.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """Serves discovery and the JWKS; everything else 404."""
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.requests.append(self.path)
                documents = {
                    "/.well-known/openid-configuration": {
                        "issuer": issuer.url,
                        "jwks_uri": f"{issuer.url}/keys",
                        "response_types_supported": ["id_token"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    },
                    "/keys": {"keys": [k.jwk() for k in issuer.keys]},
                }
                body = json.dumps(documents.get(self.path, {"error": "not found"})).encode()
                self.send_response(200 if self.path in documents else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


@contextmanager
def running_issuer(home: Path) -> Iterator[FakeIssuer]:
    """Start the issuer (its CA and certificate under `home/tls`) on a free port; stop it afterwards."""
    files = ensure_dev_certificates(home)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = int(server.server_address[1])
    issuer = FakeIssuer(f"https://localhost:{port}", files.ca_cert, [SigningKey("key-1")])
    server.RequestHandlerClass = issuer.handler()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.server_cert, files.server_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
