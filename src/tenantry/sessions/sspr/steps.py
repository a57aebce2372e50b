"""Pure helpers of a reset: audit records (success and failure), the questions a reset shows, who is told
about an administrator's reset, and the step after a proven method."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tenantry.audit.events import AuditActivity, category_of
from tenantry.audit.models import Actor, AuditRecord
from tenantry.common.ids import new_guid
from tenantry.common.master_key import MasterKey
from tenantry.directory.models import User
from tenantry.directory.roles import find_role
from tenantry.directory.users import user_target
from tenantry.sessions.mfa import AuthMethod, MethodType
from tenantry.sessions.sspr.models import Requirement, ResetFlow, ResetStep, SsprMethod
from tenantry.sessions.sspr.repository import SsprUnit
from tenantry.sessions.sspr.secrets import COUNTER_PURPOSE, decoy_questions, question_order

GLOBAL_ADMIN = find_role("Global Administrator")


def audit(unit: SsprUnit, user: User, activity: AuditActivity, step: str, now: datetime, *, ok: bool = True) -> None:
    """One SSPR audit record, actor and target the user (a failure is recorded too, unlike `record`)."""
    entry = AuditRecord(
        id=new_guid(),
        tenant_id=user.tenant_id,
        activity=activity.value,
        category=category_of(activity),
        operation_type="Update",
        result="success" if ok else "failure",
        actor=Actor("user", user.id, user.user_principal_name),
        targets=(user_target(user, (("SsprStep", "", step),)),),
        correlation_id=new_guid(),
        created_at=now,
    )
    unit.add_audit_record(entry)


def question_methods(key: MasterKey, methods: list[AuthMethod], count: int) -> list[AuthMethod]:
    """`count` of the user's questions, the same ones at every visit (chosen by a MAC of their id), shown
    in the predefined list's order: the same choice and order a decoy gets, so that the questions tell an
    attacker nothing about whether the name has registered any."""
    questions = [m for m in methods if m.type is MethodType.SECURITY_QUESTION]
    if len(questions) < count:
        return []
    questions.sort(key=lambda m: key.mac(COUNTER_PURPOSE, f"question:{m.id}".encode()))
    return sorted(questions[:count], key=lambda m: question_order(m.display_name))


def questions_shown(
    key: MasterKey, upn: str, methods: list[AuthMethod], count: int, registered: int
) -> tuple[str, ...]:
    """The user's questions, or the name's decoys when it has too few (an unknown name included): as a user
    registering on the security info page would have, `count` of the first `registered` predefined ones."""
    chosen = question_methods(key, methods, count)
    return tuple(m.display_name for m in chosen) if chosen else decoy_questions(key, upn, count, registered)


def after_proof(flow: ResetFlow, method: SsprMethod, need: Requirement) -> ResetFlow:
    """A method was proven: refused (120016) when the user may not reset, the password page when enough
    methods are proven, else the next method."""
    if not need.allowed:
        return replace(flow, step=ResetStep.REFUSED, code_hash=None)
    verified = tuple(dict.fromkeys((*flow.verified, method)))
    step = ResetStep.PASSWORD if len(verified) >= need.methods_required else ResetStep.VERIFY
    return replace(flow, verified=verified, step=step)


def admin_addresses(unit: SsprUnit, user: User) -> tuple[str, ...]:
    """The Global Administrators to tell about an administrator's reset (not the one who reset)."""
    if GLOBAL_ADMIN is None:
        return ()
    found: list[str] = []
    for assignment in unit.list_role_assignments(user.tenant_id):
        if assignment.role_definition_id != GLOBAL_ADMIN.id or assignment.principal_id == user.id:
            continue
        admin = unit.find_user(user.tenant_id, assignment.principal_id)
        if admin is not None:
            found.append(admin.mail or admin.user_principal_name)
    return tuple(dict.fromkeys(found))
