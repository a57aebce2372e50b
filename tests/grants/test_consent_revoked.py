"""A user's consent withdrawn in My Account (`UserConsentService.revoke_consent`) is gone for the token
endpoint too: the app's refresh token for that user answers 65001 (consent_required) at its next use."""

from __future__ import annotations

from grants.helpers import now, store_refresh_token
from grants.world import STOCK_URI, GrantsWorld
from protocol.conftest import TokenPoster, assert_entra_error
from tenantry.apps.consent import record_consent
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext

from .test_refresh_token import refresh

SCOPE = f"{STOCK_URI}/Stock.Read"


def test_revoked_user_consent_stops_the_refresh_token(grants: GrantsWorld, token: TokenPoster) -> None:
    """The user's own consent lets the refresh succeed; once revoked, the next refresh is 65001."""
    services, user, client = grants.services, grants.new_user("withdrawer"), grants.unconsented
    sps = services.apps.list_service_principals(grants.tenant.id)
    client_sp = next(s for s in sps if s.app_id == client.client_id)
    stock_sp = next(s for s in sps if s.app_id == grants.stock.app_id)
    with services.store.transaction(write=True) as unit:
        grant = record_consent(unit, client_sp, stock_sp, user, ["Stock.Read"], now())
    value = store_refresh_token(grants, client, user, scopes=SCOPE)
    first = refresh(token, grants, value, client, scope=SCOPE)
    assert first.status_code == 200, first.text
    following = first.json()["refresh_token"]
    grants.sensitive.add(following)
    ctx = AuditContext(Actor("user", user.id, user.user_principal_name), now())
    assert services.consents.revoke_consent(user, grant.id, ctx)
    response = refresh(token, grants, following, client, scope=SCOPE)
    assert_entra_error(response, 65001, 400, "consent_required")
