"""SSPR's pure rules, table-driven: Entra's settings limits, security-question registration rules, answer
normalisation, codes and the requirement of administrators."""

from __future__ import annotations

import pytest

from tenantry.common.master_key import MasterKey
from tenantry.sessions.sspr.methods import SecurityInfoError, check_email, check_questions
from tenantry.sessions.sspr.models import SsprMethod, SsprPolicy, SsprScope
from tenantry.sessions.sspr.policy import SsprPolicyError, check_policy
from tenantry.sessions.sspr.secrets import answer_mac, code_mac, is_answer, is_code, new_code, normalise_answer

KEY = MasterKey(b"sspr-rules-master-secret-0123456789abcdef")
BASE = SsprPolicy("t", SsprScope.ALL)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"methods_required": 3}, "1 or 2"),
        ({"questions_to_register": 6}, "3 to 5"),
        ({"questions_to_register": 3, "questions_to_reset": 4}, "3 to 5"),
        ({"scope": SsprScope.GROUP}, "--group"),
        ({"methods": (SsprMethod.EMAIL,), "methods_required": 2}, "only 1 allowed"),
        ({"methods": (SsprMethod.MOBILE_APP_CODE,)}, "only allowed"),
        ({"reconfirm_days": 731}, "730"),
        ({"skip_days": -1}, "0 to 90"),
    ],
)
def test_policy_limits(changes: dict[str, object], message: str) -> None:
    from dataclasses import replace

    with pytest.raises(SsprPolicyError, match=message):
        check_policy(replace(BASE, **changes))  # type: ignore[arg-type]


def test_defaults_are_valid() -> None:
    check_policy(BASE)
    assert SsprPolicy("t").scope is SsprScope.OFF


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("Q1", "aaa"), ("Q2", "bbb")], "register 3"),
        ([("Q1", "aaa"), ("Q1", "bbb"), ("Q3", "ccc")], "only once"),
        ([("Q1", "aaa"), ("Q2", " AAA "), ("Q3", "ccc")], "only once"),
        ([("Q1", "aa"), ("Q2", "bbb"), ("Q3", "ccc")], "3 to 40"),
        ([("", "aaa"), ("Q2", "bbb"), ("Q3", "ccc")], "1 to 200"),
    ],
)
def test_question_rules(pairs: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(SecurityInfoError, match=message):
        check_questions(pairs, SsprPolicy("t"))


def test_answers_are_normalised_and_bound_to_user_and_question() -> None:
    assert normalise_answer("  Rex   the\tDOG ") == "rex the dog"
    stored = answer_mac(KEY, "user-1", "Pet?", "Rex the dog")
    assert is_answer(KEY, "user-1", "Pet?", stored, " rex  THE dog")
    assert not is_answer(KEY, "user-2", "Pet?", stored, "Rex the dog")
    assert not is_answer(KEY, "user-1", "Car?", stored, "Rex the dog")
    assert b"Rex" not in stored and len(stored) == 32


def test_codes() -> None:
    code = new_code()
    assert len(code) == 8 and code.isdigit()
    stored = code_mac(KEY, b"h" * 32, code)
    assert is_code(KEY, b"h" * 32, stored, f" {code[:4]} {code[4:]} ")
    assert not is_code(KEY, b"g" * 32, stored, code)  # another reset's code
    assert not is_code(KEY, b"h" * 32, None, code)
    assert not is_code(KEY, b"h" * 32, stored, code[:7])


@pytest.mark.parametrize("address", ["no-at-sign", "a@b", "two@@home.example", "x" * 250 + "@home.example"])
def test_email_shape(address: str) -> None:
    with pytest.raises(SecurityInfoError):
        check_email(address)
    assert check_email(" ada@home.example ") == "ada@home.example"
