"""Registering SSPR methods: the e-mail method (Graph `emailMethods`; an administrator's or the user's own,
verified by a code on the security info page) and security questions (answers kept only as keyed hashes,
so nobody, administrators included, can read them). Every change is audited: "Admin registered security
info" / "User registered security info" and their deletions.

Entra allows one e-mail method per user; an address is checked for shape only (a local part, one `@`, a
domain with a dot) since the code it receives is what proves it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace

from tenantry.audit.events import AuditActivity
from tenantry.audit.recorder import AuditContext, record
from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.common.master_key import MasterKey
from tenantry.directory.models import User
from tenantry.directory.users import user_target
from tenantry.sessions.mfa import AuthMethod, MethodType
from tenantry.sessions.sspr.models import MAX_QUESTIONS, SsprPolicy
from tenantry.sessions.sspr.repository import SsprUnit
from tenantry.sessions.sspr.secrets import MAX_ANSWER, MAX_QUESTION, MIN_ANSWER, answer_mac, normalise_answer

EMAIL_SHAPE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MAX_EMAIL = 254


class SecurityInfoError(ValueError):
    """A registration that cannot be made, with a message saying why."""


def check_email(address: str) -> str:
    """The address, trimmed, if it has the shape of one."""
    address = address.strip()
    if len(address) > MAX_EMAIL or not EMAIL_SHAPE.match(address):
        raise SecurityInfoError("emailAddress is not an e-mail address")
    return address


def check_questions(pairs: Sequence[tuple[str, str]], policy: SsprPolicy) -> None:
    """§5.5: as many as the tenant asks to register (3–5), answers 3–40 characters, questions ≤ 200, no
    question or answer used twice."""
    if not policy.questions_to_register <= len(pairs) <= MAX_QUESTIONS:
        raise SecurityInfoError(f"register {policy.questions_to_register} to {MAX_QUESTIONS} security questions")
    questions = [q.strip() for q, _ in pairs]
    answers = [normalise_answer(a) for _, a in pairs]
    if any(not q or len(q) > MAX_QUESTION for q in questions):
        raise SecurityInfoError(f"a question is 1 to {MAX_QUESTION} characters")
    if any(not MIN_ANSWER <= len(a) <= MAX_ANSWER for a in answers):
        raise SecurityInfoError(f"an answer is {MIN_ANSWER} to {MAX_ANSWER} characters")
    if len(set(questions)) != len(questions) or len(set(answers)) != len(answers):
        raise SecurityInfoError("each question and each answer can be used only once")


def _activity(by_admin: bool, delete: bool = False) -> AuditActivity:
    if delete:
        return AuditActivity.ADMIN_DELETE_SECURITY_INFO if by_admin else AuditActivity.USER_DELETE_SECURITY_INFO
    return AuditActivity.ADMIN_REGISTER_SECURITY_INFO if by_admin else AuditActivity.REGISTER_SECURITY_INFO


class SecurityInfoService:
    """E-mail methods and security questions of users; the adapter checks who may change whose."""

    def __init__(
        self, transaction: Callable[..., AbstractContextManager[SsprUnit]], clock: Clock, key: MasterKey
    ) -> None:
        self._transaction = transaction
        self._clock = clock
        self._key = key

    def email_methods(self, user: User) -> list[AuthMethod]:
        """The user's e-mail method (Entra: at most one)."""
        with self._transaction() as unit:
            return [m for m in unit.list_auth_methods(user.tenant_id, user.id) if m.type is MethodType.EMAIL]

    def add_email(self, user: User, address: str, ctx: AuditContext, *, by_admin: bool) -> AuthMethod:
        """Register the e-mail method (400 when the user has one already, as Graph)."""
        method = AuthMethod(
            id=new_guid(),
            tenant_id=user.tenant_id,
            user_id=user.id,
            type=MethodType.EMAIL,
            display_name="Email",
            created_at=self._clock.now(),
            email_address=check_email(address),
        )
        with self._transaction(write=True) as unit:
            if any(m.type is MethodType.EMAIL for m in unit.list_auth_methods(user.tenant_id, user.id)):
                raise SecurityInfoError("the user already has an email method; update or delete it")
            unit.add_auth_method(method)
            target = user_target(user, (("EmailMethod", "", "added"),))
            record(unit, ctx, user.tenant_id, _activity(by_admin), (target,), "Add")
        return method

    def update_email(
        self, user: User, method_id: str, address: str, ctx: AuditContext, *, by_admin: bool
    ) -> AuthMethod | None:
        """Change the address; None when the user has no e-mail method with this id."""
        address = check_email(address)
        with self._transaction(write=True) as unit:
            found = unit.find_auth_method(user.tenant_id, user.id, method_id)
            if found is None or found.type is not MethodType.EMAIL:
                return None
            changed = replace(found, email_address=address)
            unit.update_auth_method_address(changed)
            target = user_target(user, (("EmailMethod", "", "updated"),))
            record(unit, ctx, user.tenant_id, _activity(by_admin), (target,), "Update")
        return changed

    def delete_method(self, user: User, method_id: str, kind: MethodType, ctx: AuditContext, *, by_admin: bool) -> bool:
        """Remove one method of this kind; False when there is none."""
        with self._transaction(write=True) as unit:
            found = unit.find_auth_method(user.tenant_id, user.id, method_id)
            if found is None or found.type is not kind:
                return False
            unit.delete_auth_method(user.tenant_id, user.id, method_id)
            target = user_target(user, ((str(kind), "", "deleted"),))
            record(unit, ctx, user.tenant_id, _activity(by_admin, delete=True), (target,), "Delete")
        return True

    def set_questions(self, user: User, pairs: Sequence[tuple[str, str]], ctx: AuditContext) -> None:
        """Replace the user's security questions (the user's own registration only: an administrator
        never sets answers); answers stored as keyed hashes of their normalised form."""
        now = self._clock.now()
        with self._transaction(write=True) as unit:
            policy = unit.find_sspr_policy(user.tenant_id) or SsprPolicy(user.tenant_id)
            check_questions(pairs, policy)
            for old in unit.list_auth_methods(user.tenant_id, user.id):
                if old.type is MethodType.SECURITY_QUESTION:
                    unit.delete_auth_method(user.tenant_id, user.id, old.id)
            for question, answer in pairs:
                unit.add_auth_method(
                    AuthMethod(
                        id=new_guid(),
                        tenant_id=user.tenant_id,
                        user_id=user.id,
                        type=MethodType.SECURITY_QUESTION,
                        display_name=question.strip(),
                        created_at=now,
                        pass_hash=answer_mac(self._key, user.id, question.strip(), answer),
                    )
                )
            target = user_target(user, (("SecurityQuestions", "", str(len(pairs))),))
            record(unit, ctx, user.tenant_id, AuditActivity.REGISTER_SECURITY_INFO, (target,), "Add")
