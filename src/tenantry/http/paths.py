"""The URLs the STS and the sign-in pages send browsers to, in one place (the adapters never import each other).

The STS sends a browser to a sign-in page with the flow handle; the pages send it back to the STS's
resume step, on the tenant path segment the flow started on.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

STATIC_PREFIX = "/static"
LOGIN_PATH = "/login"
PASSWORD_PATH = "/login/password"  # noqa: S105 - a path
PASSWORD_CHANGE_PATH = "/login/password/change"  # noqa: S105 - a path
MFA_PATH = "/login/mfa"
MFA_ENROL_PATH = "/login/mfa/enrol"
KMSI_PATH = "/kmsi"
SSPR_REGISTER_PATH = "/login/securityinfo"  # the SSPR registration interrupt ("More information required")
SECURITY_INFO_PATH = "/securityinfo"
CONSENT_PATH = "/consent"
DEVICE_LOGIN_PATH = "/devicelogin"
DEVICE_DONE_PATH = "/devicelogin/complete"
# Seamless SSO (web/signin/winauth.py): the sign-in host's side, and the SSO endpoint (on TENANTRY_SSO_URL's host).
WINAUTH_PATH = "/login/winauth"
WINAUTH_DONE_PATH = "/login/winauth/done"
WINAUTH_FALLBACK_PATH = "/login/winauth/fallback"
SSO_ENDPOINT_PATH = "/{tenant}/winauth/sso"


def with_flow(path: str, handle: str) -> str:
    """`path?flow=<handle>`."""
    return f"{path}?{urlencode({'flow': handle})}"


def resume_path(tenant_segment: str, handle: str) -> str:
    """`/{tenant}/oauth2/v2.0/authorize/resume?flow=<handle>`: where the pages hand a signed-in flow back."""
    return with_flow(f"/{quote(tenant_segment, safe='')}/oauth2/v2.0/authorize/resume", handle)


def error_lookup_path(code: int) -> str:
    """`/error?code=N`, the AADSTS lookup page."""
    return f"/error?code={code}"


def sso_endpoint_path(tenant_segment: str, handle: str) -> str:
    """`/{tenant}/winauth/sso?flow=<handle>`: the endpoint that answers 401 Negotiate (Entra's autologon)."""
    return with_flow(f"/{quote(tenant_segment, safe='')}/winauth/sso", handle)
