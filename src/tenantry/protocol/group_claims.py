"""The `groups` claim (entra-reference §2.2): which of the user's groups a token names, as the application's
`groupMembershipClaims` asks, and Entra's overage rule.

- `SecurityGroup`: the security groups the user is a member of; `All`: every group; `ApplicationGroup`: only
  the groups assigned to the application (an app role assignment on its service principal); `DirectoryRole`
  and None: no `groups` claim (directory roles travel in `wids`). Memberships are direct: Tenantry has no
  nested groups.
- A JWT names at most 200 groups. Past that, it carries `_claim_names` / `_claim_sources` pointing at the
  user's `getMemberObjects` on Graph instead, so that a resource fetches the list (the overage claim).
The resource app's setting decides for an access token, the client app's for an id token.
"""

from __future__ import annotations

from typing import Any

from tenantry.apps.models import Application
from tenantry.directory.models import User
from tenantry.protocol.ports import StsUnit

JWT_GROUPS_LIMIT = 200
OVERAGE_SOURCE = "src1"


def _group_ids(app: Application, user: User, tenant_id: str, unit: StsUnit) -> list[str] | None:
    setting = app.group_membership_claims
    if setting not in ("SecurityGroup", "All", "ApplicationGroup"):
        return None
    ids = unit.list_group_ids_of_member(tenant_id, user.id)
    if setting == "SecurityGroup":
        groups = (unit.find_group(tenant_id, group_id) for group_id in ids)
        return sorted(g.id for g in groups if g is not None and g.security_enabled)
    if setting == "ApplicationGroup":
        sp = unit.find_service_principal_by_app_id(tenant_id, app.app_id)
        return sorted(g for g in ids if sp is not None and unit.list_assignments(tenant_id, g, sp.id))
    return sorted(ids)


def group_claims(app: Application, user: User, tenant_id: str, unit: StsUnit, base_url: str) -> dict[str, Any]:
    """`groups`, or the overage claims, or nothing (no setting, or no group to name)."""
    ids = _group_ids(app, user, tenant_id, unit)
    if not ids:
        return {}
    if len(ids) > JWT_GROUPS_LIMIT:
        endpoint = f"{base_url}/v1.0/users/{user.id}/getMemberObjects"
        return {"_claim_names": {"groups": OVERAGE_SOURCE}, "_claim_sources": {OVERAGE_SOURCE: {"endpoint": endpoint}}}
    return {"groups": ids}
