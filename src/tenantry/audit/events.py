"""Audit activities: a typed vocabulary whose values are Entra's activity names where one exists."""

from __future__ import annotations

from enum import StrEnum


class AuditActivity(StrEnum):
    """`activityDisplayName` of a directory audit record."""

    ADD_APPLICATION = "Add application"
    UPDATE_APPLICATION = "Update application"
    DELETE_APPLICATION = "Delete application"
    ADD_SECRET = "Update application – Certificates and secrets management"
    REMOVE_SECRET = "Remove application secret"
    ADD_CERTIFICATE = "Add application certificate"
    REMOVE_CERTIFICATE = "Remove application certificate"
    ADD_OWNER = "Add owner to application"
    REMOVE_OWNER = "Remove owner from application"
    ADD_SERVICE_PRINCIPAL = "Add service principal"
    UPDATE_SERVICE_PRINCIPAL = "Update service principal"
    DELETE_SERVICE_PRINCIPAL = "Delete service principal"
    ADD_APP_ROLE_ASSIGNMENT = "Add app role assignment to service principal"
    ADD_ROLE_MEMBER = "Add member to role"
    REMOVE_ROLE_MEMBER = "Remove member from role"
    CREDENTIAL_EXPIRY_WARNING = "Credential expiry warning sent"
    SECRET_SHARE_LINK_CREATED = "Secret share link created"
    SECRET_SHARE_LINK_REVEALED = "Secret share link revealed"
    UPDATE_POLICY = "Update application management policy"
    ADD_USER = "Add user"
    UPDATE_USER = "Update user"
    DELETE_USER = "Delete user"
    RESET_USER_PASSWORD = "Reset user password"
    CHANGE_USER_PASSWORD = "Change user password"
    ADD_GROUP = "Add group"
    UPDATE_GROUP = "Update group"
    DELETE_GROUP = "Delete group"
    ADD_GROUP_MEMBER = "Add member to group"
    REMOVE_GROUP_MEMBER = "Remove member from group"
    SET_PASSWORD_POLICY = "Set password policy"
    LOCK_USER = "Lock user out (smart lockout)"
    UNLOCK_USER = "Unlock user"
    SET_LOCKOUT_POLICY = "Set smart lockout policy"
    REGISTER_SECURITY_INFO = "User registered security info"
    ADMIN_REGISTER_SECURITY_INFO = "Admin registered security info"
    ADMIN_DELETE_SECURITY_INFO = "Admin deleted security info"
    ADD_CA_POLICY = "Add conditional access policy"
    UPDATE_CA_POLICY = "Update conditional access policy"
    DELETE_CA_POLICY = "Delete conditional access policy"
    ADD_NAMED_LOCATION = "Add named location"
    UPDATE_NAMED_LOCATION = "Update named location"
    DELETE_NAMED_LOCATION = "Delete named location"
    USER_DELETE_SECURITY_INFO = "User deleted security info"
    # A user's own consent to an app withdrawn (My Account's "Apps": Entra's activity for the grant's removal).
    REMOVE_DELEGATED_PERMISSION_GRANT = "Remove delegated permission grant"
    SSPR_REGISTRATION_SKIPPED = "User canceled security info registration"
    SSPR_REGISTRATION_CONFIRMED = "User registered all required security info"
    SET_SSPR_POLICY = "Set self-service password reset policy"
    SSPR_PROGRESS = "Self-service password reset flow activity progress"
    SSPR_BLOCKED = "Blocked from self-service password reset"
    SSPR_RESET = "Reset password (self-service)"
    ENABLE_SEAMLESS_SSO = "Enable Desktop SSO"
    DISABLE_SEAMLESS_SSO = "Disable Desktop SSO"
    # The seed's event 4769 analog: a Kerberos service ticket accepted for a sign-in (realm, principal, kvno).
    SEAMLESS_SSO_SIGN_IN = "Kerberos service ticket accepted for seamless SSO"


CATEGORY = {
    AuditActivity.ADD_ROLE_MEMBER: "RoleManagement",
    AuditActivity.REMOVE_ROLE_MEMBER: "RoleManagement",
    AuditActivity.UPDATE_POLICY: "Policy",
    AuditActivity.SET_PASSWORD_POLICY: "DirectoryManagement",
    AuditActivity.LOCK_USER: "UserManagement",
    AuditActivity.UNLOCK_USER: "UserManagement",
    AuditActivity.SET_LOCKOUT_POLICY: "Policy",
    AuditActivity.REGISTER_SECURITY_INFO: "UserManagement",
    AuditActivity.ADMIN_REGISTER_SECURITY_INFO: "UserManagement",
    AuditActivity.ADMIN_DELETE_SECURITY_INFO: "UserManagement",
    AuditActivity.ADD_CA_POLICY: "Policy",
    AuditActivity.UPDATE_CA_POLICY: "Policy",
    AuditActivity.DELETE_CA_POLICY: "Policy",
    AuditActivity.ADD_NAMED_LOCATION: "Policy",
    AuditActivity.UPDATE_NAMED_LOCATION: "Policy",
    AuditActivity.DELETE_NAMED_LOCATION: "Policy",
    AuditActivity.USER_DELETE_SECURITY_INFO: "UserManagement",
    AuditActivity.SSPR_REGISTRATION_SKIPPED: "UserManagement",
    AuditActivity.SSPR_REGISTRATION_CONFIRMED: "UserManagement",
    AuditActivity.SET_SSPR_POLICY: "Policy",
    AuditActivity.SSPR_PROGRESS: "UserManagement",
    AuditActivity.SSPR_BLOCKED: "UserManagement",
    AuditActivity.SSPR_RESET: "UserManagement",
    AuditActivity.ENABLE_SEAMLESS_SSO: "KerberosDomain",
    AuditActivity.DISABLE_SEAMLESS_SSO: "KerberosDomain",
    AuditActivity.SEAMLESS_SSO_SIGN_IN: "KerberosDomain",
}


def category_of(activity: AuditActivity) -> str:
    """Entra's audit `category`: ApplicationManagement unless the activity belongs elsewhere."""
    return CATEGORY.get(activity, "ApplicationManagement")
