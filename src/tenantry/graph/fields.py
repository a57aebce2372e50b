"""Which properties of each collection `$select` may name and `$filter`/`$orderby` may use.

Filterable and sortable properties follow Graph's documented support for the resource where we can
honour it; every other property may still be `$select`ed.
"""

from __future__ import annotations

from tenantry.graph.odata import FieldSpec, FieldType

S, G, B, D, L = FieldType.STRING, FieldType.GUID, FieldType.BOOL, FieldType.DATETIME, FieldType.STRING_COLLECTION


def _only_select(*names: str) -> dict[str, FieldSpec]:
    return {name: FieldSpec(S, filterable=False) for name in names}


APPLICATION_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G, sortable=True),
    "appId": FieldSpec(G),
    "displayName": FieldSpec(S, sortable=True),
    "createdDateTime": FieldSpec(D, sortable=True),
    "signInAudience": FieldSpec(S),
    "identifierUris": FieldSpec(L),
    "publisherDomain": FieldSpec(S),
    "isFallbackPublicClient": FieldSpec(B),
    "tenantryStatus": FieldSpec(S, sortable=True),
    **_only_select(
        "deletedDateTime",
        "api",
        "appRoles",
        "requiredResourceAccess",
        "web",
        "spa",
        "publicClient",
        "keyCredentials",
        "passwordCredentials",
        "tags",
        "notes",
        "groupMembershipClaims",
    ),
}

SERVICE_PRINCIPAL_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G, sortable=True),
    "appId": FieldSpec(G),
    "displayName": FieldSpec(S, sortable=True),
    "accountEnabled": FieldSpec(B),
    "appRoleAssignmentRequired": FieldSpec(B),
    "appOwnerOrganizationId": FieldSpec(G),
    "servicePrincipalNames": FieldSpec(L),
    "servicePrincipalType": FieldSpec(S),
    "tags": FieldSpec(L),
    **_only_select("appDisplayName", "signInAudience", "appRoles", "oauth2PermissionScopes", "deletedDateTime"),
}

APP_ROLE_ASSIGNMENT_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(S),
    "appRoleId": FieldSpec(G),
    "principalId": FieldSpec(G),
    "principalType": FieldSpec(S),
    "principalDisplayName": FieldSpec(S),
    "resourceId": FieldSpec(G),
    "createdDateTime": FieldSpec(D, sortable=True),
    **_only_select("resourceDisplayName", "deletedDateTime"),
}

DIRECTORY_OBJECT_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G),
    "displayName": FieldSpec(S, sortable=True),
    "userPrincipalName": FieldSpec(S),
    "appId": FieldSpec(G),
}

ORGANIZATION_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G),
    "displayName": FieldSpec(S),
    **_only_select("createdDateTime", "tenantType", "verifiedDomains"),
}

ROLE_DEFINITION_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G),
    "displayName": FieldSpec(S, sortable=True),
    "templateId": FieldSpec(G),
    "isBuiltIn": FieldSpec(B),
    "isEnabled": FieldSpec(B),
    **_only_select("description", "resourceScopes", "version", "rolePermissions"),
}

ROLE_ASSIGNMENT_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(S),
    "principalId": FieldSpec(G),
    "roleDefinitionId": FieldSpec(G),
    "directoryScopeId": FieldSpec(S),
    **_only_select("appScopeId", "condition"),
}

AUDIT_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(S),
    "category": FieldSpec(S),
    "correlationId": FieldSpec(S),
    "result": FieldSpec(S),
    "activityDisplayName": FieldSpec(S),
    "activityDateTime": FieldSpec(D, sortable=True),
    "loggedByService": FieldSpec(S),
    "operationType": FieldSpec(S),
    "initiatedBy/user/id": FieldSpec(S),
    "initiatedBy/user/userPrincipalName": FieldSpec(S),
    "initiatedBy/app/appId": FieldSpec(S),
    "initiatedBy/app/displayName": FieldSpec(S),
    **_only_select("resultReason", "targetResources", "additionalDetails"),
}

USER_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G, sortable=True),
    "accountEnabled": FieldSpec(B),
    "displayName": FieldSpec(S, sortable=True),
    "userPrincipalName": FieldSpec(S, sortable=True),
    "mail": FieldSpec(S),
    "givenName": FieldSpec(S),
    "surname": FieldSpec(S),
    "mailNickname": FieldSpec(S),
    "createdDateTime": FieldSpec(D, sortable=True),
    **_only_select(
        "passwordPolicies",
        "lastPasswordChangeDateTime",
        "signInSessionsValidFromDateTime",
        "onPremisesImmutableId",
        "onPremisesSyncEnabled",
        "onPremisesLastSyncDateTime",
        "onPremisesSamAccountName",
        "onPremisesUserPrincipalName",
        "onPremisesDomainName",
        "onPremisesSecurityIdentifier",
        "onPremisesDistinguishedName",
    ),
}

GROUP_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G, sortable=True),
    "displayName": FieldSpec(S, sortable=True),
    "mailNickname": FieldSpec(S),
    "mailEnabled": FieldSpec(B),
    "securityEnabled": FieldSpec(B),
    "isAssignableToRole": FieldSpec(B),
    "createdDateTime": FieldSpec(D, sortable=True),
    **_only_select("description", "groupTypes", "mail", "deletedDateTime"),
}

AUTHENTICATION_METHOD_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G),
    **_only_select(
        "password",
        "createdDateTime",
        "secretKey",
        "temporaryAccessPass",
        "startDateTime",
        "lifetimeInMinutes",
        "isUsableOnce",
        "isUsable",
        "methodUsabilityReason",
    ),
}

SIGN_IN_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(S),
    "createdDateTime": FieldSpec(D, sortable=True),
    "userId": FieldSpec(S),
    "userPrincipalName": FieldSpec(S),
    "userDisplayName": FieldSpec(S),
    "appId": FieldSpec(S),
    "appDisplayName": FieldSpec(S),
    "resourceId": FieldSpec(S),
    "resourceDisplayName": FieldSpec(S),
    "servicePrincipalId": FieldSpec(S),
    "ipAddress": FieldSpec(S),
    "clientAppUsed": FieldSpec(S),
    "correlationId": FieldSpec(S),
    "conditionalAccessStatus": FieldSpec(S),
    "isInteractive": FieldSpec(B),
    "status/errorCode": FieldSpec(FieldType.INT),
    **_only_select("servicePrincipalName", "appliedConditionalAccessPolicies", "authenticationRequirement", "status"),
}
