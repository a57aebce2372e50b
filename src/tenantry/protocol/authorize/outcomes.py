"""What an authorize, resume or admin-consent request ends in; the endpoint turns it into HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tenantry.errors import AadstsError
from tenantry.protocol.authorize.context import ReplyTarget


@dataclass(frozen=True, slots=True)
class ToApp:
    """A successful answer to the app's redirect URI (code, state, client_info …)."""

    target: ReplyTarget
    params: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ToAppError:
    """An error answered to the app's (validated) redirect URI."""

    target: ReplyTarget
    error: AadstsError


@dataclass(frozen=True, slots=True)
class ErrorPage:
    """An error shown to the user: nothing may be sent to the redirect URI."""

    error: AadstsError


@dataclass(frozen=True, slots=True)
class ToPage:
    """Send the browser to one of our pages (sign-in, consent, resume, device completion)."""

    location: str


Outcome = ToApp | ToAppError | ErrorPage | ToPage


def rejected(error: AadstsError, target: ReplyTarget | None) -> Outcome:
    """To the app when the target is known and the code may be redirected, else the error page."""
    if target is not None and error.spec.redirectable:
        return ToAppError(target, error)
    return ErrorPage(error)
