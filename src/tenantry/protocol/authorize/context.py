"""What the authorize pipeline works on: the raw parameters, a context the steps fill in, and the
immutable `AuthorizeRequest` it yields (style P5: validation reads only and ends in a frozen value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from tenantry.apps.models import Application, ServicePrincipal
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.deps import AuthorizeDeps
from tenantry.protocol.form import MAX_PARAMETER_LENGTH
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import UserScopes
from tenantry.protocol.tenancy import TenantRef

# What /authorize reads (entra-reference §1.6, msal-compat §2.3); anything else (X-AnchorMailbox, clidata,
# x-client-*) is ignored. `client_info=1` asks for the client_info parameter in the reply.
AUTHORIZE_PARAMETERS = frozenset(
    {
        "client_id",
        "response_type",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "prompt",
        "login_hint",
        "domain_hint",
        "max_age",
        "response_mode",
        "client_info",
        "claims",
        # Not a protocol parameter: MSAL's correlation id, kept with the flow so that the sign-in log files the
        # pages' sign-ins under the id the client sent to /authorize, as Entra does.
        "client-request-id",
    }
)


class Endpoint(StrEnum):
    """The endpoints the step table serves (style P6)."""

    AUTHORIZE = "authorize"
    ADMIN_CONSENT = "adminconsent"


def read_parameters(pairs: Iterable[tuple[str, str]]) -> Mapping[str, str]:
    """The known parameters: blank ones count as omitted; a repeated, oversized or NUL-bearing one is AADSTS90100."""
    params: dict[str, str] = {}
    for name, value in pairs:
        if name not in AUTHORIZE_PARAMETERS or not value:
            continue
        if name in params:
            raise AadstsError.of(
                Aadsts.InvalidRequestParameter, parameter=name, hint="The parameter was sent more than once."
            )
        if len(value) > MAX_PARAMETER_LENGTH:
            raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter=name, hint="The parameter is too long.")
        if "\x00" in value:
            raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter=name, hint="It contains a NUL character.")
        params[name] = value
    return MappingProxyType(params)


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """Where and how an answer goes back to the app, once client_id and redirect_uri are validated."""

    redirect_uri: str
    response_mode: str
    state: str | None


@dataclass
class AuthorizeContext:
    """Mutable working state of one pipeline run: each step reads what earlier steps established."""

    endpoint: Endpoint
    tenant: TenantRef
    params: Mapping[str, str]
    unit: StsUnit
    deps: AuthorizeDeps
    client: Application | None = None
    client_sp: ServicePrincipal | None = None
    redirect_uri: str | None = None
    platform: str | None = None
    response_types: frozenset[str] = field(default_factory=lambda: frozenset({"code"}))
    response_mode: str | None = None
    scopes: UserScopes | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    prompt: str | None = None
    max_age: int | None = None
    # The server's public URL: the base of redirect URIs first-party apps derive at run time (the admin center's).
    base_url: str = ""

    def param(self, name: str) -> str | None:
        """One request parameter, or None."""
        return self.params.get(name)

    def require_client(self) -> Application:
        """The validated client (steps after `check_client`)."""
        assert self.client is not None, "check_client runs first"
        return self.client

    @property
    def is_public(self) -> bool:
        """A public client or a SPA/native redirect URI: no secret can protect the code, PKCE must."""
        client = self.require_client()
        return client.is_public_client or self.platform in ("spa", "public")


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    """A validated authorization request; `params` is what a sign-in flow stores to resume it."""

    endpoint: Endpoint
    tenant: TenantRef
    client: Application
    client_sp: ServicePrincipal | None
    redirect_uri: str
    platform: str
    response_types: frozenset[str]
    response_mode: str
    scopes: UserScopes | None
    code_challenge: str | None
    code_challenge_method: str | None
    prompt: str | None
    max_age: int | None
    params: Mapping[str, str]

    @property
    def state(self) -> str | None:
        """Echoed exactly (MSAL compares it)."""
        return self.params.get("state")

    @property
    def nonce(self) -> str | None:
        """Goes into the id_token verbatim."""
        return self.params.get("nonce")

    @property
    def login_hint(self) -> str | None:
        """Prefills the username page; with an SSO session it must name the signed-in user."""
        hint = self.params.get("login_hint")
        return hint.strip() if hint else None

    @property
    def wants_client_info(self) -> bool:
        """`client_info=1`: MSAL's home account id in the reply."""
        return self.params.get("client_info") == "1"

    @property
    def target(self) -> ReplyTarget:
        """Where answers go."""
        return ReplyTarget(self.redirect_uri, self.response_mode, self.state)

    @property
    def spa(self) -> bool:
        """A SPA redirect URI: its refresh tokens get a fixed 24-hour lifetime."""
        return self.platform == "spa"


def freeze(ctx: AuthorizeContext) -> AuthorizeRequest:
    """The immutable result of a successful pipeline run."""
    assert ctx.client is not None and ctx.redirect_uri is not None and ctx.platform is not None
    return AuthorizeRequest(
        endpoint=ctx.endpoint,
        tenant=ctx.tenant,
        client=ctx.client,
        client_sp=ctx.client_sp,
        redirect_uri=ctx.redirect_uri,
        platform=ctx.platform,
        response_types=ctx.response_types,
        response_mode=ctx.response_mode or "query",
        scopes=ctx.scopes,
        code_challenge=ctx.code_challenge,
        code_challenge_method=ctx.code_challenge_method,
        prompt=ctx.prompt,
        max_age=ctx.max_age,
        params=ctx.params,
    )
